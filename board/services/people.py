"""People as a committee sees them: by the role they hold, not by name, unless the plan owner opens a
link to names. The role is the owner role(s) a person holds in the plan, else what their account does."""
from __future__ import annotations

from models import Role, User

# What each kind of account is to a committee when the person holds no owner role in the plan.
_ACCOUNT_ROLES = {
    Role.ADMIN: "Plan owner",
    Role.EDITOR: "Performance clinic team member",
    Role.CONTRIBUTOR: "Service leader",
    Role.VIEWER: "Staff member",
}


def role_title(user: User | None) -> str:
    """The words a committee reads instead of a person's name."""
    if user is None:
        return "Unknown"
    if user.owner_roles:
        return " and ".join(role.name for role in user.owner_roles)
    return _ACCOUNT_ROLES[user.role_enum]
