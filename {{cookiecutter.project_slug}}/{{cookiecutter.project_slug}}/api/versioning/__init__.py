"""Which API version a request is for, and the URL patterns of every version.

One module per api_versioning choice, named after it (features.toml keeps the chosen
one); every such module offers the same functions, named here for the rest of the API.
"""

from . import url_path as scheme  # feature: url_path_versioning
from . import accept_header as scheme  # feature: accept_header_versioning

label = scheme.label
where = scheme.where
version_for_label = scheme.version_for_label
version_urlpatterns = scheme.version_urlpatterns
schema_urlpatterns = scheme.schema_urlpatterns
