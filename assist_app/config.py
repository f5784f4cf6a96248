"""Gateway configuration: one declaration of every setting (default, type, doc) plus the token table.

Read from a TOML file (``assist-gateway --config tokens.toml``); any setting can be overridden by an
environment variable ``ASSIST_GATEWAY_<NAME>`` (e.g. ``ASSIST_GATEWAY_PORT=9000``). Format::

    [gateway]                 # every key optional, see SETTINGS
    host = "127.0.0.1"
    port = 8765

    [[agents]]                # an agent sees only the conversations assigned to them
    id = "a1"
    name = "小林"
    team = "outdoor"
    token = "change-me-a1"

    [[leads]]                 # a team lead sees every conversation of their team
    id = "lead-outdoor"
    name = "王组长"
    team = "outdoor"
    token = "change-me-lead"

    [[sources]]               # a chat source (platform adapter, simulator) only publishes
    id = "taobao"
    token = "change-me-source"
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assist_app.protocol import MAX_FRAME_BYTES


class ConfigError(ValueError):
    """The config file is missing, not TOML, or inconsistent; the message names the file and the key."""


@dataclass(frozen=True)
class Setting:
    name: str
    type: type
    default: Any
    doc: str


SETTINGS: tuple[Setting, ...] = (
    Setting("host", str, "127.0.0.1", "interface to listen on"),
    Setting("port", int, 8765, "TCP port (0 = pick a free one)"),
    Setting("heartbeat_s", float, 10.0, "seconds between heartbeat events to each client"),
    Setting("hello_timeout_s", float, 10.0, "a connection must send hello within this time"),
    Setting("queue_size", int, 2000, "events buffered per client before it counts as a slow consumer"),
    Setting("replay_size", int, 5000, "events kept per subscription for resume (older → snapshot)"),
    Setting("snapshot_messages", int, 100, "most recent messages per conversation in a snapshot"),
    Setting("max_frame_bytes", int, MAX_FRAME_BYTES, "largest frame a client may send"),
    Setting("transport_max_bytes", int, 1 << 20, "frames above this are refused by the transport (1009)"),
    Setting("stats_interval_s", float, 60.0, "seconds between counter log lines (0 = off)"),
)
_SETTINGS = {s.name: s for s in SETTINGS}
ROLE_SECTIONS = {"agents": "agent", "leads": "lead", "sources": "source"}


@dataclass(frozen=True)
class Principal:
    """Whoever a token belongs to."""

    role: str           # agent / lead / source
    id: str
    token: str
    name: str = ""
    team: str = ""


@dataclass(frozen=True)
class GatewayConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    heartbeat_s: float = 10.0
    hello_timeout_s: float = 10.0
    queue_size: int = 2000
    replay_size: int = 5000
    snapshot_messages: int = 100
    max_frame_bytes: int = MAX_FRAME_BYTES
    transport_max_bytes: int = 1 << 20
    stats_interval_s: float = 60.0
    principals: tuple[Principal, ...] = ()
    _by_token: dict[str, Principal] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_token", {})
        ids: set[str] = set()
        for p in self.principals:
            if p.token in self._by_token:
                raise ConfigError(f"duplicate token for {p.role} {p.id!r}")
            if p.id in ids:
                raise ConfigError(f"duplicate id {p.id!r} (ids must be unique across agents, leads, sources)")
            ids.add(p.id)
            self._by_token[p.token] = p

    def principal(self, token: str) -> Principal | None:
        return self._by_token.get(token)

    def by_id(self, pid: str) -> Principal | None:
        return next((p for p in self.principals if p.id == pid), None)

    def agents(self, team: str | None = None) -> list[Principal]:
        return [p for p in self.principals if p.role == "agent" and (team is None or p.team == team)]

    def leads(self, team: str | None = None) -> list[Principal]:
        return [p for p in self.principals if p.role == "lead" and (team is None or p.team == team)]

    def tokens(self) -> dict[str, str]:
        """id -> token (agents, leads and sources)."""
        return {p.id: p.token for p in self.principals}


def build_config(data: Mapping[str, Any], env: Mapping[str, str] | None = None,
                 where: str = "config") -> GatewayConfig:
    """Validate a parsed TOML mapping (+ env overrides) into a GatewayConfig."""
    env = os.environ if env is None else env
    raw = dict(data.get("gateway", {}) or {})
    unknown = set(raw) - set(_SETTINGS)
    if unknown:
        raise ConfigError(f"{where}: unknown [gateway] key(s) {sorted(unknown)}; known: {sorted(_SETTINGS)}")
    values: dict[str, Any] = {}
    for s in SETTINGS:
        v = raw.get(s.name, s.default)
        ev = env.get(f"ASSIST_GATEWAY_{s.name.upper()}")
        if ev is not None:
            v = ev
        try:
            v = s.type(v)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: [gateway] {s.name} must be {s.type.__name__}, got {v!r}") from None
        values[s.name] = v
    principals: list[Principal] = []
    for section, role in ROLE_SECTIONS.items():
        for i, entry in enumerate(data.get(section, []) or []):
            if not isinstance(entry, Mapping):
                raise ConfigError(f"{where}: [[{section}]] entry {i} is not a table")
            for key in ("id", "token"):
                if not isinstance(entry.get(key), str) or not entry.get(key):
                    raise ConfigError(f"{where}: [[{section}]] entry {i} needs a non-empty string {key!r}")
            team = str(entry.get("team", ""))
            if role in ("agent", "lead") and not team:
                raise ConfigError(f"{where}: [[{section}]] {entry['id']!r} needs a team")
            principals.append(Principal(role=role, id=entry["id"], token=entry["token"],
                                        name=str(entry.get("name", "")), team=team))
    return GatewayConfig(principals=tuple(principals), **values)


def load_config(path: str | Path, env: Mapping[str, str] | None = None) -> GatewayConfig:
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {p}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {p} is not valid TOML: {exc}") from None
    return build_config(data, env, where=str(p))


# ---------------------------------------------------------------- demo

DEMO_TEAMS = {
    "outdoor": ("a1", "a2", "a3"),   # 户外服饰组
    "home3c": ("a4", "a5"),          # 家电3C组
}
DEMO_AGENT_NAMES = {"a1": "小林", "a2": "阿杰", "a3": "小雨", "a4": "大周", "a5": "晓婷"}
DEMO_LEAD_NAMES = {"outdoor": "王组长", "home3c": "陈组长"}


def demo_principals(teams: Mapping[str, Iterable[str]] | None = None) -> tuple[Principal, ...]:
    """Fixed tokens for the local demo (gateway bound to 127.0.0.1): demo-<id>."""
    teams = DEMO_TEAMS if teams is None else teams
    out: list[Principal] = []
    for team, agents in teams.items():
        for a in agents:
            out.append(Principal("agent", a, f"demo-{a}", DEMO_AGENT_NAMES.get(a, a), team))
        lid = f"lead-{team}"
        out.append(Principal("lead", lid, f"demo-{lid}", DEMO_LEAD_NAMES.get(team, lid), team))
    out.append(Principal("source", "sim", "demo-source"))
    return tuple(out)


def demo_config(port: int = 0, **overrides: Any) -> GatewayConfig:
    return GatewayConfig(port=port, principals=demo_principals(), **overrides)


def example_toml() -> str:
    """A commented config with every setting and the demo principals (``assist-gateway --print-config``)."""
    lines = ["[gateway]"]
    for s in SETTINGS:
        lines.append(f"# {s.doc}")
        lines.append(f"{s.name} = {_toml(s.default)}")
    for p in demo_principals():
        section = {"agent": "agents", "lead": "leads", "source": "sources"}[p.role]
        lines += ["", f"[[{section}]]", f"id = {_toml(p.id)}", f"token = {_toml(p.token)}"]
        if p.name:
            lines.append(f"name = {_toml(p.name)}")
        if p.team:
            lines.append(f"team = {_toml(p.team)}")
    return "\n".join(lines) + "\n"


def _toml(v: Any) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return repr(v)
