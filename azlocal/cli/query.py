"""`--query`: knack's JMESPath argument, with the checks az makes only after the command has run made
as soon as the arguments are parsed."""

from knack.query import CLIQuery

from azlocal.core.errors import ArgumentUsageError

QUERY_REFERENCE = "To learn more about --query, please visit: 'https://learn.microsoft.com/cli/azure/query-azure-cli'"


def _compile_query(text):
    import jmespath

    try:
        return jmespath.compile(text)
    except (ValueError, KeyError, RecursionError) as ex:
        raise ArgumentUsageError(f"argument --query: invalid jmespath_type value: {text!r}") from ex


def check_query(compiled):
    """Refuses, before the command runs, a query that would fail whatever the result: an unknown
    function or a wrong number of arguments. az finds these only after the command has done its
    work; the error is az's, but nothing has changed when it is printed."""
    from jmespath import exceptions, functions

    table = functions.Functions().FUNCTION_TABLE
    nodes = [compiled.parsed]
    while nodes:
        node = nodes.pop()
        if not isinstance(node, dict):
            continue
        nodes.extend(node.get("children") or [])
        if node.get("type") != "function_expression":
            continue
        name, given = node["value"], len(node.get("children") or [])
        if name not in table:
            raise exceptions.UnknownFunctionError(f"Unknown function: {name}()")
        signature = table[name]["signature"]
        if signature and signature[-1].get("variadic"):
            if given < len(signature):
                raise exceptions.VariadictArityError(len(signature), given, name)
        elif given != len(signature):
            raise exceptions.ArityError(len(signature), given, name)


class AzLocalQuery(CLIQuery):
    """knack's --query, with the checks above made as soon as the arguments are parsed."""

    def __init__(self, cli_ctx=None):
        from knack.events import EVENT_INVOKER_POST_PARSE_ARGS, EVENT_PARSER_GLOBAL_CREATE

        super().__init__(cli_ctx=cli_ctx)
        cli_ctx.unregister_event(EVENT_PARSER_GLOBAL_CREATE, CLIQuery.on_global_arguments)
        cli_ctx.register_event(EVENT_PARSER_GLOBAL_CREATE, AzLocalQuery.on_global_arguments)
        cli_ctx.unregister_event(EVENT_INVOKER_POST_PARSE_ARGS, CLIQuery.handle_query_parameter)
        cli_ctx.register_event(EVENT_INVOKER_POST_PARSE_ARGS, AzLocalQuery.handle_query_parameter)

    @staticmethod
    def jmespath_type(raw_query):
        # jmespath's parser recurses once per nesting level: a deep query is a bad argument (exit 2).
        try:
            return CLIQuery.jmespath_type(raw_query)
        except RecursionError as ex:
            raise ValueError("the query is nested too deeply") from ex

    @staticmethod
    def on_global_arguments(_, **kwargs):
        kwargs["arg_group"].add_argument(
            "--query", dest="_jmespath_query", metavar="JMESPATH", type=AzLocalQuery.jmespath_type,
            help="JMESPath query string. See http://jmespath.org/ for more information and examples.")

    @staticmethod
    def handle_query_parameter(cli_ctx, **kwargs):
        compiled = getattr(kwargs["args"], "_jmespath_query", None)
        if compiled is not None:
            check_query(compiled)
        CLIQuery.handle_query_parameter(cli_ctx, **kwargs)
