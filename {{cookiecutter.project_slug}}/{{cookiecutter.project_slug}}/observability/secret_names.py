"""Which names hold secrets: one pattern for every report that leaves the process."""

import re

# Words that mark a name (a key, a header, a POST field, a setting) as holding a secret.
# "auth" and "authorization" as words of a name, not "author" or "authenticated".
SENSITIVE_WORDS = (
    r"pass|secret|token|api[-_]?key|auth(orization)?(?![a-z])|cookie|session|csrf|credential"
    r"|dsn|signature"
)
SENSITIVE_NAME = re.compile(SENSITIVE_WORDS, re.IGNORECASE)
