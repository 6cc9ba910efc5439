"""Doctor schemas beyond the application's (schemas/accounts.py): the languages a doctor speaks,
the directory's language filter, and the public view with the languages."""
from marshmallow import fields, validate

from forum.schemas.accounts import DoctorApplicationIn, DoctorApplicationOut, DoctorArgs, DoctorOut
from forum.schemas.common import InputSchema
from forum.services.doctors import LANGUAGES, NO_LANGUAGE, UNKNOWN_FILTER_LANGUAGE, UNKNOWN_LANGUAGE

CODES = sorted(LANGUAGES)


def Languages(at_least_one: bool = True, **kwargs) -> fields.List:  # noqa: N802
    """ISO 639-1 codes of the languages a doctor speaks, from the supported list."""
    return fields.List(fields.String(validate=validate.OneOf(CODES, error=UNKNOWN_LANGUAGE)),
                       validate=validate.Length(min=1, error=NO_LANGUAGE) if at_least_one else None,
                       metadata={"description": "Languages you speak, as ISO 639-1 codes: " + ", ".join(CODES)},
                       **kwargs)


class DoctorLanguagesIn(InputSchema):
    languages = Languages(load_default=list)  # none ticked (or none sent): "choose at least one"


class DoctorApplicationWithLanguagesIn(DoctorApplicationIn):
    """The application with the languages spoken (none given: the language the site is shown in)."""

    languages = Languages(at_least_one=False, load_default=None)


class DoctorListArgs(DoctorArgs):
    language = fields.String(load_default=None, validate=validate.OneOf(CODES, error=UNKNOWN_FILTER_LANGUAGE),
                             metadata={"description": "Only doctors who speak this language (ISO 639-1 code)"})


def SpokenLanguages() -> fields.Function:  # noqa: N802
    return fields.Function(lambda d: [row.language for row in d.languages],
                           metadata={"description": "ISO 639-1 codes, e.g. [\"en\", \"es\"]"})


class DoctorWithLanguagesOut(DoctorOut):
    """A doctor's public view with the languages they speak."""

    languages = SpokenLanguages()


class DoctorApplicationWithLanguagesOut(DoctorApplicationOut):
    """The applicant's view of their application with the languages they speak."""

    languages = SpokenLanguages()
