"""``python -m intake openapi``: print the OpenAPI document (the repo keeps it as intake/openapi.json).

Serving is ``takeback intake serve``; this entry point exists so the document can be regenerated without the
desktop package.
"""

import json
import sys

from .app import openapi_document

if __name__ == "__main__":
    if sys.argv[1:] != ["openapi"]:
        sys.exit("usage: python -m intake openapi > intake/openapi.json")
    sys.stdout.write(json.dumps(openapi_document(), indent=2) + "\n")
