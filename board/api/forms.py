from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional

from board.forms import QueryForm
from board.services.api_data import MAX_PER_PAGE


class ApiPageForm(QueryForm):
    """Which page of a collection: `?page=2&per_page=500`."""

    page = IntegerField("page", validators=[Optional(), NumberRange(min=1, max=1_000_000,
                                                                    message="page is a whole number from 1.")])
    per_page = IntegerField("per_page", validators=[Optional(), NumberRange(
        min=1, max=MAX_PER_PAGE, message=f"per_page is a whole number from 1 to {MAX_PER_PAGE}.")])

    def problems(self) -> list[str]:
        return [f"{name}: {message}" for name, messages in self.errors.items() for message in messages]
