"""The typer app every command module registers on (kept apart from `cleaner.cli`, which imports those modules).

Everything every command shares is set up here, once: `NewscleanTyper` gives each command `NewscleanCommand`, which
adds `-v/--verbose` and `--log-level`, writes usage lines as a person writes them (`INPUT...`, `[DIR]...`), and with
`--verbose` says where each setting came from (command line, config file, default). The app's callback reads the
config file (`cleaner.settings`) into click's `default_map`, so command-line options win over it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Annotated, Any

import typer
import typer.core

LOGGER = "cleaner"  # library modules log under cleaner.*; the CLI shows them on stderr
LOG_LEVELS = ("debug", "info", "warning", "error")
_META_VERBOSE = "newsclean.verbose"
_META_LEVEL = "newsclean.log_level"
_META_CONFIG = "newsclean.config"
_META_NOTES = "newsclean.settings_notes"
# Parameters that are about the run's reporting, not settings of the work: not listed by --verbose.
_NOT_SETTINGS = {"help", "version"}


def _remember(key: str) -> Callable[[Any, Any, Any], Any]:
    """A click callback that keeps an option's value in the context's meta (shared by the app and its commands):
    `-v` may be given before the command (`newsclean -v clean`) or after it (`newsclean clean -v`)."""

    def callback(ctx: Any, param: Any, value: Any) -> Any:
        if value is not None and ctx.get_parameter_source(param.name).name != "DEFAULT":
            ctx.meta[key] = value
        return value

    return callback


def _check_level(ctx: Any, param: Any, value: str | None) -> str | None:
    if value is not None and value.lower() not in LOG_LEVELS:
        from cleaner.errors import ConfigError

        raise ConfigError(f"--log-level must be one of {', '.join(LOG_LEVELS)}, got {value!r}")
    if value is not None:
        ctx.meta[_META_LEVEL] = value.lower()
    return value


def _logging_options() -> list[Any]:
    """`-v/--verbose` and `--log-level`, as typer options (so typer's help lists them with the rest)."""
    return [
        typer.core.TyperOption(
            param_decls=["-v", "--verbose"],
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_remember(_META_VERBOSE),
            help="Say what was assumed (stdin format), where each setting came from, and list every reject.",
        ),
        typer.core.TyperOption(
            param_decls=["--log-level"],
            type=str,
            default=None,
            metavar="LEVEL",
            expose_value=False,
            callback=_check_level,
            help="debug, info, warning (the default) or error; --verbose is info.",
        ),
    ]


def _argument_metavar(param: Any) -> str:
    """`INPUT...` for a required argument of many values, `[DIR]...` for an optional one, `[INPUT]`, `LEDGER`: the
    way a person writes a usage line (typer 0.28 wrote `{INPUT...}` and `[[DIR]...]...`)."""
    base = (param.metavar or param.name or "").strip("[]{}.").upper()
    many = "..." if param.nargs != 1 else ""
    return f"{base}{many}" if param.required else f"[{base}]{many}"


class NewscleanCommand(typer.core.TyperCommand):
    """A command with the logging options, person-style argument metavars, and `--verbose` settings sources."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.param_type_name == "argument":
                param.metavar = _argument_metavar(param)
        help_at = next((i for i, p in enumerate(self.params) if p.name == "help"), len(self.params))
        self.params[help_at:help_at] = _logging_options()

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                pieces.append(param.metavar or _argument_metavar(param))
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def invoke(self, ctx: Any) -> Any:
        configure_logging(ctx)
        if is_verbose():
            log = logging.getLogger(f"{LOGGER}.settings")
            for line in [*ctx.meta.get(_META_NOTES, []), *settings_report(ctx)]:
                log.info(line)
        return super().invoke(ctx)


class NewscleanTyper(typer.Typer):
    """A Typer whose commands are `NewscleanCommand`s unless told otherwise, and whose command modules may be
    imported when its commands are first looked at (`defer`): typer builds every registered command's options on
    each run (~20 ms for all of newsclean's), so a run registers only the command it runs."""

    _deferred: Callable[[], None] | None = None

    def defer(self, loader: Callable[[], None] | None) -> None:
        """Call `loader` (which registers commands) the first time the registered commands are looked at."""
        self._deferred = loader

    def _load_deferred(self) -> None:
        loader, self._deferred = self._deferred, None
        if loader is not None:
            loader()

    @property  # type: ignore[override]
    def registered_commands(self) -> list[Any]:
        self._load_deferred()
        return self._registered_commands

    @registered_commands.setter
    def registered_commands(self, value: list[Any]) -> None:
        self._registered_commands = value

    @property  # type: ignore[override]
    def registered_groups(self) -> list[Any]:
        self._load_deferred()
        return self._registered_groups

    @registered_groups.setter
    def registered_groups(self, value: list[Any]) -> None:
        self._registered_groups = value

    def command(self, name: str | None = None, *, cls: type[typer.core.TyperCommand] | None = None, **kwargs: Any):  # type: ignore[no-untyped-def, override]
        return super().command(name, cls=cls or NewscleanCommand, **kwargs)


def is_verbose() -> bool:
    """Whether this run was asked to say more (`-v`, or `--log-level info/debug`)."""
    return logging.getLogger(LOGGER).isEnabledFor(logging.INFO)


def configure_logging(ctx: Any) -> None:
    """One stderr handler on the `cleaner` logger: warnings by default, info with -v, or as --log-level says."""
    level = ctx.meta.get(_META_LEVEL, "warning")
    numeric = getattr(logging, level.upper())
    if ctx.meta.get(_META_VERBOSE):
        numeric = min(numeric, logging.INFO)
    logger = logging.getLogger(LOGGER)
    logger.setLevel(numeric)
    logger.propagate = False
    handler = next((h for h in logger.handlers if getattr(h, "newsclean", False)), None)
    if handler is None:
        handler = _StderrHandler()
        handler.newsclean = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    handler.setFormatter(_Formatter())


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the stderr of the moment (tests and callers swap sys.stderr; a handler bound at start would not
    follow)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        import sys

        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


class _Formatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"newsclean: {record.levelname.lower()}: {message}"
        if record.levelno <= logging.DEBUG:
            return f"newsclean: debug: {message}"
        return f"newsclean: {message}"


def settings_report(ctx: Any) -> list[str]:
    """One line per setting of the command: its value and where it came from."""
    config = ctx.meta.get(_META_CONFIG)
    where = {
        "COMMANDLINE": "command line",
        "ENVIRONMENT": "environment",
        "DEFAULT_MAP": str(config) if config else "config file",
        "DEFAULT": "default",
        "PROMPT": "prompt",
    }
    lines = []
    for param in ctx.command.params:
        if not param.expose_value or param.name in _NOT_SETTINGS or param.name not in ctx.params:
            continue
        source = ctx.get_parameter_source(param.name)
        name = param.metavar if param.param_type_name == "argument" else max(param.opts, key=len)
        value = ctx.params[param.name]
        shown = [str(v) for v in value] if isinstance(value, list | tuple) else value
        lines.append(f"setting {name} = {shown!r} ({where.get(source.name if source else '', 'default')})")
    return lines


app = NewscleanTyper(
    name="newsclean",
    help="Clean scraped news text: remove repeated paragraph blocks and site boilerplate, with a ledger.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from cleaner import __version__

        typer.echo(f"newsclean {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="As -v after the command: say what was assumed and where settings came from."
        ),
    ] = False,
    log_level: Annotated[
        str | None, typer.Option("--log-level", metavar="LEVEL", help="debug, info, warning (default) or error.")
    ] = None,
) -> None:
    """Clean scraped news text: remove repeated paragraph blocks and site boilerplate, with a ledger."""
    from cleaner.settings import load_settings

    if verbose:
        ctx.meta[_META_VERBOSE] = True
    if log_level is not None:
        _check_level(ctx, None, log_level)
    settings = load_settings()
    if settings.path is not None:
        ctx.meta[_META_CONFIG] = settings.path
        ctx.default_map = settings.default_map()
    ctx.meta[_META_NOTES] = settings.notes
