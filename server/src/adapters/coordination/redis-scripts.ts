/**
 * The Lua scripts of the Redis Coordination adapter (design §3). Redis runs a script as one
 * command, so nothing else touches its keys between a script's read and its write: that is what
 * makes the compare-and-set steps below safe when several API processes share one Redis.
 *
 * Every script touches only the keys it is given (KEYS), so a lock and its fence, or a scope's two
 * presence keys, must sit in one cluster slot (the callers use hash tags for that). ARGV values
 * arrive as strings. Each constant carries its SHA1 so callers can EVALSHA and fall back to EVAL
 * on NOSCRIPT.
 */
import { createHash } from 'node:crypto';

export interface LuaScript {
  /** The Lua text sent with EVAL. */
  readonly source: string;
  /** SHA1 of `source`, the name EVALSHA runs it by once the server has it cached. */
  readonly sha: string;
}

const script = (source: string): LuaScript => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
});

/**
 * Takes a lock or renews the caller's own (design §4).
 *
 * KEYS[1] lock key, holding JSON `{owner, token}` with a PX expiry; KEYS[2] fence key, the last
 * token issued for this lock, never expiring. ARGV[1] owner, ARGV[2] TTL in ms.
 *
 * Guarantees: when the lock is free (absent or expired) it is taken with the next fencing token,
 * so a token is never issued twice for a key, even after expiry or release; when ARGV[1] already
 * holds it the TTL is extended and the token kept (a retried claim is not a new claim); otherwise
 * nothing changes. Reply `{acquired 0|1, owner, token, pttl}` describes the holder afterwards.
 */
export const ACQUIRE_LOCK = script(`
local current = redis.call('GET', KEYS[1])
if current then
  local holder = cjson.decode(current)
  if holder.owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, holder.owner, holder.token, tonumber(ARGV[2])}
  end
  return {0, holder.owner, holder.token, redis.call('PTTL', KEYS[1])}
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], cjson.encode({owner = ARGV[1], token = token}), 'PX', ARGV[2])
return {1, ARGV[1], token, tonumber(ARGV[2])}
`);

/**
 * Compare-and-extend a lock.
 *
 * KEYS[1] lock key. ARGV[1] owner, ARGV[2] TTL in ms.
 *
 * Guarantees: the TTL is extended only while ARGV[1] holds the lock; a lock that expired or passed
 * to someone else is left alone. Reply `{token, pttl}`, or nil when ARGV[1] no longer holds it.
 */
export const RENEW_LOCK = script(`
local current = redis.call('GET', KEYS[1])
if not current then return false end
local holder = cjson.decode(current)
if holder.owner ~= ARGV[1] then return false end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {holder.token, tonumber(ARGV[2])}
`);

/**
 * Compare-and-delete a lock.
 *
 * KEYS[1] lock key. ARGV[1] owner.
 *
 * Guarantees: the lock is deleted only while ARGV[1] holds it, so a holder whose lock expired and
 * was taken by another cannot free the new holding. The fence key is untouched. Reply 1 when
 * ARGV[1] held it and it is now free, else 0.
 */
export const RELEASE_LOCK = script(`
local current = redis.call('GET', KEYS[1])
if not current then return 0 end
if cjson.decode(current).owner ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`);

/**
 * Records or refreshes one presence member.
 *
 * KEYS[1] the scope's ZSET of member → expires_at (epoch ms); KEYS[2] the scope's HASH of member →
 * JSON data. ARGV[1] member, ARGV[2] expires_at, ARGV[3] data JSON, ARGV[4] TTL in ms.
 *
 * Guarantees: the expiry and the data are written together; the two keys' own TTL only ever grows
 * (to at least ARGV[4]), so an abandoned scope disappears once its last member would have, and a
 * short-lived member never cuts a longer-lived one's keys short. Reply 1.
 */
export const SET_PRESENCE = script(`
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local ttl = tonumber(ARGV[4])
for _, key in ipairs(KEYS) do
  if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
end
return 1
`);

/**
 * Lists a scope's live presence members, pruning the expired ones.
 *
 * KEYS[1] the scope's expiry ZSET; KEYS[2] its data HASH (as in SET_PRESENCE). ARGV[1] now, epoch ms.
 *
 * Guarantees: members expired at ARGV[1] are removed from both keys before listing, so no expired
 * member is returned and no orphan data is left behind. Reply flat
 * `{member, expires_at, data json, ...}` (data `'{}'` if its hash field is missing).
 */
export const LIST_PRESENCE = script(`
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
for _, member in ipairs(expired) do redis.call('HDEL', KEYS[2], member) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local live = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
local out = {}
for i = 1, #live, 2 do
  out[#out + 1] = live[i]
  out[#out + 1] = live[i + 1]
  out[#out + 1] = redis.call('HGET', KEYS[2], live[i]) or '{}'
end
return out
`);

/**
 * Counts one hit in a fixed-window rate-limit counter.
 *
 * KEYS[1] counter key. ARGV[1] window length in ms.
 *
 * Guarantees: the window starts at the first hit (its expiry is set then) and is never extended by
 * later hits; a counter found without an expiry gets one, so no counter lives forever. Reply
 * `{count, pttl}`: hits in this window including this one, and ms until it ends.
 */
export const HIT = script(`
local count = redis.call('INCR', KEYS[1])
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  pttl = tonumber(ARGV[1])
end
return {count, pttl}
`);
