"""Plain functions that read and write the plan. They never touch `request` or templates."""
