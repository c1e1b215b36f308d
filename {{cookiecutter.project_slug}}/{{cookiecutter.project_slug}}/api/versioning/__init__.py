"""Which API version a request is for, and the URL patterns of every version.

One module per api_versioning choice, named after it (features.toml keeps the chosen
one); every such module offers the same functions, named here for the rest of the API.
"""

from . import (
    accept_header,  # feature: accept_header_versioning
    url_path,  # feature: url_path_versioning
)

scheme = accept_header  # feature: accept_header_versioning
scheme = url_path  # feature: url_path_versioning

label = scheme.label
where = scheme.where
version_for_label = scheme.version_for_label
version_urlpatterns = scheme.version_urlpatterns
schema_urlpatterns = scheme.schema_urlpatterns
