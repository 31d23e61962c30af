"""The rules layer: the one answer to the domain's recurring questions (which states count as
closed or filed, who owes which report by when). Below services and selectors, above models
and choices: it imports neither services, selectors, notifications, portal nor api."""
