"""Who is calling: API keys (stored hashed, compared in constant time), roles and access groups.

A key looks like ``tl_<id>_<secret>``; only ``sha256(secret)`` is stored. Roles: ``reader`` asks,
searches and reads; ``admin`` also uploads and deletes documents. A document whose metadata names
access groups is visible only to keys carrying one of them (admins see every document).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from assistant.errors import AuthenticationError, ConfigurationError, PermissionDeniedError
from assistant.models import Document
from assistant.service.state import StateStore
from assistant.settings import Settings

ROLES = ("reader", "admin")
PREFIX = "tl_"


@dataclass(frozen=True)
class Caller:
    key_id: str | None  # None: an anonymous local caller (keys off)
    role: str
    groups: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def limit_key(self) -> str:
        return self.key_id or "local"

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDeniedError(
                "Khóa API này chỉ có quyền đọc.", hint="Thao tác này cần khóa quản trị (role admin)."
            )

    def may_see(self, document: Document) -> bool:
        groups = document.metadata.groups
        return self.is_admin or not groups or bool(self.groups & set(groups))

    def visible(self, documents: Mapping[str, Document]) -> frozenset[str] | None:
        """The documents this caller may see (None: all of them)."""
        if self.is_admin:
            return None
        hidden = [d for d in documents.values() if not self.may_see(d)]
        if not hidden:
            return None
        return frozenset(d for d in documents if d not in {h.id for h in hidden})


LOCAL = Caller(None, "admin", frozenset())


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class KeyRing:
    """Keys from the state store (``assistant keys create``) and from settings (``ASSISTANT_API_KEYS``)."""

    def __init__(self, store: StateStore, settings: Settings) -> None:
        self.store = store
        self._configured: dict[str, Caller] = {}
        for i, item in enumerate(settings.api_keys):
            key, role = str(item.get("key", "")), str(item.get("role", "reader"))
            if len(key) < 16 or role not in ROLES:
                raise ConfigurationError(
                    f"Khóa thứ {i + 1} trong ASSISTANT_API_KEYS không hợp lệ.",
                    hint='Mỗi khóa: {"key": "ít nhất 16 ký tự", "role": "reader" hoặc "admin", "groups": [...]}.',
                )
            self._configured[_digest(key)] = Caller(f"env-{i + 1}", role, frozenset(item.get("groups") or []))
        self.required = settings.require_keys or not is_loopback(settings.host)

    def enabled(self) -> bool:
        return self.required or self.enabled_with_keys()

    def enabled_with_keys(self) -> bool:
        return bool(self._configured) or self.store.has_keys()

    def create(self, name: str, role: str, groups: list[str]) -> tuple[str, str]:
        """A new key (shown once) and its id."""
        if role not in ROLES:
            raise ConfigurationError(f"Vai trò '{role}' không hợp lệ.", hint="Chọn: reader hoặc admin.")
        secret = secrets.token_urlsafe(24)
        while True:  # 32-bit ids: among 100,000 keys two collide more often than not
            key_id = secrets.token_hex(4)
            if self.store.add_key(key_id, name, role, sorted(set(groups)), _digest(secret)):
                return f"{PREFIX}{key_id}_{secret}", key_id

    def caller(self, key: str | None) -> Caller:
        """The caller a request's key stands for; anonymous local access when keys are off."""
        if not key:
            if not self.enabled():
                return LOCAL
            raise AuthenticationError(
                "Thiếu khóa API.", hint="Gửi khóa trong header X-API-Key (hoặc Authorization: Bearer <khóa>)."
            )
        digest = _digest(key)
        for known, caller in self._configured.items():
            if hmac.compare_digest(known, digest):
                return caller
        if key.startswith(PREFIX) and key.count("_") >= 2:
            key_id, secret = key[len(PREFIX) :].split("_", 1)
            row = self.store.key(key_id)
            if row is not None and hmac.compare_digest(row["hash"], _digest(secret)):
                return Caller(row["id"], row["role"], frozenset(json.loads(row["groups"])))
        raise AuthenticationError(
            "Khóa API không hợp lệ hoặc đã bị thu hồi.",
            hint="Hãy xin quản trị viên cấp khóa mới: assistant keys create",
        )
