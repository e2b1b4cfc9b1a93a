/**
 * The Lua scripts of the shared rate state: every step that reads and then writes the state of one API key runs
 * as one script, so two gateways can never both take the same start slot, the same listing budget or the same
 * probe. A script is the smallest proven tool for this: Redis runs it atomically, and the steps are a few lines
 * each (a limiter library counts requests per window, while the service's rules are exact spacings measured from
 * the end of the previous listing, a lease on the budget and one probe after a ban).
 *
 * Times are ms of the callers' clocks (wall-clock ms in production), given as arguments: the callers sleep on
 * their own clocks, so the state must speak their time. Hosts sharing a key keep their clocks in sync (NTP).
 *
 * Keys (KEYS[n] below), all under one prefix per account (`fdav:<hash of api base and key>:`):
 *   call  the earliest start of the next API call (a number);
 *   ban   "until level version" of the last ban (version counts the changes, for compare-and-set);
 *   probe "version owner leaseUntil done" for the ban of that version: who sends the one call after it;
 *   list  hash: next (earliest start of the next listing), lease (end of the lease of a listing in flight),
 *         owner (the gateway holding the lease);
 *   folder:<id>  the earliest start of the next listing of that folder (expires then);
 *   queue the gateways waiting for the listing budget, by when each first asked.
 */

/** reserveCall: KEYS call; ARGV now, interval, ttl. Returns the start time granted. */
export const RESERVE_CALL = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
local now = tonumber(ARGV[1])
local at = math.max(now, n)
redis.call('SET', KEYS[1], tostring(at + tonumber(ARGV[2])), 'PX', ARGV[3])
return at
`;

/**
 * ban: KEYS ban, probe; ARGV now, owner, probeLeaseMs, ttl of the probe record, poll step. Returns {} when no ban, else {until, level, version,
 * shown}: `shown` is the end of the wait for this caller. While the ban runs it is `until`. Once it is over, the
 * first gateway that asks becomes the prober (for probeLeaseMs, or until it reports the answer) and is shown the
 * real ban; every other one is shown the end of that lease (at most one poll step ahead, so it looks again soon), so it
 * waits for the probe's answer instead of sending a probe of its own.
 */
export const READ_BAN = `
local b = redis.call('GET', KEYS[1])
if not b then return {} end
local untilAt, level, version = string.match(b, '^(%S+) (%S+) (%S+)$')
untilAt = tonumber(untilAt)
local now = tonumber(ARGV[1])
if untilAt > now then return {tostring(untilAt), level, version, tostring(untilAt)} end
local p = redis.call('GET', KEYS[2])
if p then
  local pv, owner, leaseUntil, done = string.match(p, '^(%S+) (%S+) (%S+) (%S+)$')
  if pv == version then
    if done == '1' or owner == ARGV[2] then return {tostring(untilAt), level, version, tostring(untilAt)} end
    if tonumber(leaseUntil) > now then return {tostring(untilAt), level, version, tostring(math.min(tonumber(leaseUntil), now + tonumber(ARGV[5])))} end
  end
end
redis.call('SET', KEYS[2], version .. ' ' .. ARGV[2] .. ' ' .. tostring(now + tonumber(ARGV[3])) .. ' 0', 'PX', ARGV[4])
return {tostring(untilAt), level, version, tostring(untilAt)}
`;

/**
 * updateBan's compare-and-set: KEYS ban; ARGV expected version ('0' when none), until, level, ttl. Returns 1 when
 * written, 0 when another gateway changed the ban first (the caller reads it again and recomputes).
 */
export const SET_BAN = `
local b = redis.call('GET', KEYS[1])
local version = '0'
if b then version = string.match(b, '^%S+ %S+ (%S+)$') end
if version ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2] .. ' ' .. ARGV[3] .. ' ' .. tostring(tonumber(version) + 1), 'PX', ARGV[4])
return 1
`;

/** probeAnswered: KEYS probe; ARGV version, owner. Marks the probe of that ban answered, when it is the caller's. */
export const PROBE_ANSWERED = `
local p = redis.call('GET', KEYS[1])
if not p then return 0 end
local pv, owner, leaseUntil = string.match(p, '^(%S+) (%S+) (%S+) %S+$')
if pv ~= ARGV[1] or owner ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], pv .. ' ' .. owner .. ' ' .. leaseUntil .. ' 1', 'KEEPTTL')
return 1
`;

/**
 * claimListing: KEYS list, folder, queue; ARGV now, leaseMs, owner, graceMs. Returns 0 when granted (the lease is
 * the caller's until now + leaseMs), else the time to ask again.
 *
 * Fairness between gateways: a gateway whose folder may be listed joins a queue (ordered by when it first
 * asked), and the budget, once free, goes to the oldest gateway of the queue; the others are told to ask again
 * when its grace ends. A head that has not claimed the budget within graceMs of it becoming free is not coming
 * (its waiters went away, or their folders are not due yet) and leaves the queue. Without the queue, whichever
 * gateway happened to ask right when the budget freed up would win every time, and the others' clients would
 * starve.
 */
export const CLAIM_LISTING = `
local now = tonumber(ARGV[1])
local folderAt = tonumber(redis.call('GET', KEYS[2]) or '0')
if folderAt > now then return folderAt end
redis.call('ZADD', KEYS[3], 'NX', now, ARGV[3])
redis.call('PEXPIRE', KEYS[3], 600000)
local v = redis.call('HMGET', KEYS[1], 'next', 'lease')
local freeAt = math.max(tonumber(v[1] or '0'), tonumber(v[2] or '0'))
if freeAt > now then return freeAt end
local graceEnd = freeAt + tonumber(ARGV[4])
while true do
  local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
  if head == nil or head == ARGV[3] then break end
  if now < graceEnd then return graceEnd end
  redis.call('ZREM', KEYS[3], head)
end
redis.call('ZREM', KEYS[3], ARGV[3])
redis.call('HSET', KEYS[1], 'lease', tostring(now + tonumber(ARGV[2])), 'owner', ARGV[3])
return 0
`;

/**
 * endListing: KEYS list, folder; ARGV owner, sent ('1'/'0'), nextAt, folderNextAt, now. Frees the lease when the
 * caller holds it; when sent, moves the next-listing times forward (never back: another gateway may have set
 * later ones while this one was cut off).
 */
export const END_LISTING = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('HSET', KEYS[1], 'lease', '0', 'owner', '') end
if ARGV[2] ~= '1' then return 0 end
local nextAt = math.max(tonumber(redis.call('HGET', KEYS[1], 'next') or '0'), tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'next', tostring(nextAt))
local folderAt = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), tonumber(ARGV[4]))
local ttl = folderAt - tonumber(ARGV[5])
if ttl > 0 then redis.call('SET', KEYS[2], tostring(folderAt), 'PX', math.ceil(ttl)) end
return 1
`;

/**
 * The merge a gateway sends when Redis is back after it ran on local state: its own later times win, and the
 * listing lease it may still hold from before the loss is freed. KEYS list, call; ARGV owner, nextListingAt,
 * nextCallAt, callTtl.
 */
export const MERGE_BACK = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('HSET', KEYS[1], 'lease', '0', 'owner', '') end
local nextAt = math.max(tonumber(redis.call('HGET', KEYS[1], 'next') or '0'), tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'next', tostring(nextAt))
local callAt = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), tonumber(ARGV[3]))
redis.call('SET', KEYS[2], tostring(callAt), 'PX', ARGV[4])
return 1
`;
