"""Lua scripts that visit every logical database in one round trip.

A ``SELECT`` inside a script does not change the calling connection's database (Redis >= 2.8.12),
so these are safe on pooled connections.
"""

from __future__ import annotations

from typing import Any

import redis

from heroweb.base.redisconn import guard

# ARGV[1] databases. Returns {id, config, session count, id, config, count, ...}.
LIST_CONTEXTS = """
local out = {}
for i = 0, tonumber(ARGV[1]) - 1 do
  redis.call('SELECT', i)
  local v = redis.call('GET', 'context:config')
  if v then
    local n = #redis.call('KEYS', 'sessions:config:*')
    if redis.call('EXISTS', 'sessions:config:latest') == 1 then n = n - 1 end
    out[#out + 1] = i
    out[#out + 1] = v
    out[#out + 1] = n
  end
end
return out
"""

# ARGV: id, name, config text, databases. Checks id and name are free, then creates, atomically.
CREATE_CONTEXT = """
local id = tonumber(ARGV[1])
for i = 0, tonumber(ARGV[4]) - 1 do
  redis.call('SELECT', i)
  local v = redis.call('GET', 'context:config')
  if v then
    if i == id then return {'id', i} end
    local ok, d = pcall(cjson.decode, v)
    if ok and type(d) == 'table' and d['name'] == ARGV[2] then return {'name', i} end
  end
end
redis.call('SELECT', id)
redis.call('SET', 'context:config', ARGV[3])
return {'ok', id}
"""

# KEYS: none (the DB is selected by ARGV[1]). Removes the documented keys only.
DELETE_CONTEXT = """
redis.call('SELECT', tonumber(ARGV[1]))
local keys = redis.call('KEYS', 'sessions:config:*')
for _, k in ipairs(keys) do redis.call('DEL', k) end
return redis.call('DEL', 'context:config') + #keys
"""

# KEYS[1] session key, KEYS[2] latest key; ARGV[1] session text, ARGV[2] session name.
CREATE_SESSION = """
if redis.call('EXISTS', 'context:config') == 0 then return -1 end
if redis.call('SET', KEYS[1], ARGV[1], 'NX') then
  redis.call('SET', KEYS[2], ARGV[2])
  return 1
end
return 0
"""

_registered: dict[str, Any] = {}


def run(r: redis.Redis, source: str, *, keys: list[str] | None = None, args: list[Any] | None = None) -> Any:
    script = _registered.get(source)
    if script is None:
        script = r.register_script(source)
        _registered[source] = script
    with guard():
        return script(keys=keys or [], args=args or [], client=r)
