from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """email and name in the ID token and at /userinfo (what an identity provider sends)."""

    oidc_claim_scope = None  # every claim for every scope: a test provider

    def get_additional_claims(self, request):
        user = request.user
        return {"email": user.email, "name": user.first_name,
                "preferred_username": user.username}
