"""Checks made around parsing that need the resources service (core may not import it): the
subscription named by `--subscription` or inside `--ids` exists."""

from azlocal.core import conventions


def check_parsed(cli_ctx, args=None, **kwargs):
    """After parsing: the subscription exists, then core's conventions (policy arguments, --ids names)."""
    name = getattr(args, "_subscription", None)
    if name is not None:
        from azlocal.resources import account

        account.resolve_subscription(name)
    conventions.check_parsed(cli_ctx, args=args, **kwargs)


def check_subscriptions_of_ids(args):
    if "--ids" not in args:
        return
    from azlocal.resources import account

    for value in args[args.index("--ids") + 1:]:
        if value.startswith("-"):
            break
        parts = value.strip("/").split("/")
        if len(parts) > 1 and parts[0].lower() == "subscriptions":
            account.resolve_subscription(parts[1])
