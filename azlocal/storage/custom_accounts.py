"""az storage account: thin handlers over azlocal.storage.accounts."""


def account_check_name(name):
    from azlocal.storage import accounts

    return accounts.check_name_availability(name)
