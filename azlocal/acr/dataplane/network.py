"""A registry's network access as the data plane enforces it: public network access and the IP rules
of networkRuleSet, checked on the client address the daemon sees."""


def client_check(doc):
    """check_client(address) for a registry document, or None when every client may reach it."""
    return None
