"""Create the Duban client (confidential, authorization code, RS256) and the provider's
users; prints ``client_id client_secret``. Usage: setup REDIRECT_URI user|pw|email|name…"""

import sys

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402

redirect_uri, *users = sys.argv[1:]
for spec in users:
    username, password, email, name = spec.split("|")
    User.objects.create_user(username, email=email, password=password, first_name=name)
secret = "duban-client-secret"
app = Application.objects.create(
    name="Duban", client_id="duban", client_secret=secret, redirect_uris=redirect_uri,
    client_type=Application.CLIENT_CONFIDENTIAL, skip_authorization=True,
    authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
    algorithm=Application.RS256_ALGORITHM)
print(app.client_id, secret)
