"""The presentation layer: template contexts built from services' plain data and what the request allows.

Routes parse, authorise and call a service, then hand its data to a function here with the viewer (who
is looking, through which URL space) and the page's filters; the function returns the context that the
page and its partials render. Two blueprints that show the same thing (the board on a share link and
signed in) call the same function here, never each other.
"""
