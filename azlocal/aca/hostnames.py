"""Custom domains of container apps: the hostnames bound to an app's ingress, routed by the gateway."""


def routes_of(app, env):
    """{hostname: app} of the custom domains bound to `app` (lower-cased), for the gateway's routes."""
    return {}
