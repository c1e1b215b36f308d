"""DRF's Accept-header versioning, with a 406 that says which versions exist.

Kept apart from the versioning package: DRF imports its versioning class while
rest_framework.views itself is being imported, so this module must not import DRF views.
"""

from django.conf import settings
from rest_framework import versioning


class AcceptHeaderVersioning(versioning.AcceptHeaderVersioning):
    def __init__(self) -> None:
        super().__init__()
        served = ", ".join(version.removeprefix("v") for version in settings.API_VERSIONS)
        self.invalid_version_message = (
            f'Unknown API version in the "Accept" header; this API serves version={served}.'
        )
