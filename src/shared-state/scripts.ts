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
 *   fwait:<id>, fseen:<id>  the gateways waiting for that folder: by when each first asked, when each last asked;
 *   queue the gateways waiting for the listing budget, by when each first asked;
 *   waiter:<owner>  hash: elig (the last time that gateway was allowed a folder), held and heldAt (its queue place
 *         set aside while it waits only for folders).
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
 * claimListing: KEYS list, folder, queue, fwait, fseen, waiter; ARGV now, leaseMs, owner, graceMs, staleMs, ttl.
 * Returns 0 when granted (the lease is the caller's until now + leaseMs), else the time to ask again.
 *
 * Two waiting orders make the budget fair between gateways; without them, whichever gateway happened to ask right
 * when a folder came due or the budget freed up would win every time, and the others' clients would starve.
 *
 * - Per folder (fwait: who asked for the folder, by when each first asked; fseen: when each last asked): once the
 *   folder is due, it goes to the first of its waiters; a later one is told to wait. A waiter keeps its place
 *   while it keeps asking: a gateway asks again for every folder it waits for at least once per listing interval
 *   (list-budget.ts), so one not seen for staleMs (that interval plus the grace) has gone (its clients went away)
 *   and loses its place. Both keys expire twice staleMs after the last ask (by then every waiter would count as
 *   gone; twice, as Redis counts the expiry on its own clock, not the callers').
 * - Account-wide (queue: the gateways that may list a folder now, by when each first asked): the budget, once
 *   free, goes to the oldest of the queue; the others are told to ask again when its grace ends. A head that has
 *   not claimed the budget within graceMs of it becoming free is not coming and leaves the queue.
 *
 * Only a gateway that may list a folder now is in the account queue: one refused by the folder rule is waiting
 * for that folder, not for the budget, and as the queue's head it would hold the budget idle for a grace each
 * time. A gateway asks for its candidate folders one after the other, all with the same `now` (list-budget.ts
 * computes it once per pass), so a refusal takes the caller out of the queue only when it has not been allowed
 * a folder at this `now` already (waiter.elig). Its place is set aside (waiter.held, heldAt) and given back when
 * a later folder of the same pass (or any claim within graceMs) may go: asking first for a folder that is not due
 * costs no place, while a gateway that waited only for folders for longer comes back at the end of the queue.
 * The waiter hash expires like the queue.
 */
export const CLAIM_LISTING = `
local now = tonumber(ARGV[1])
local owner = ARGV[3]
local grace = tonumber(ARGV[4])
local stale = tonumber(ARGV[5])
local folderAt = tonumber(redis.call('GET', KEYS[2]) or '0')
redis.call('ZADD', KEYS[4], 'NX', now, owner)
redis.call('HSET', KEYS[5], owner, tostring(now))
redis.call('PEXPIRE', KEYS[4], 2 * stale)
redis.call('PEXPIRE', KEYS[5], 2 * stale)
local refusedUntil = nil
if folderAt > now then
  refusedUntil = folderAt
else
  while true do
    local head = redis.call('ZRANGE', KEYS[4], 0, 0)[1]
    if head == nil or head == owner then break end
    local seen = tonumber(redis.call('HGET', KEYS[5], head) or '-1')
    if seen >= now - stale then refusedUntil = seen + stale break end
    redis.call('ZREM', KEYS[4], head)
    redis.call('HDEL', KEYS[5], head)
  end
end
if refusedUntil then
  local elig = tonumber(redis.call('HGET', KEYS[6], 'elig') or '-1')
  local score = redis.call('ZSCORE', KEYS[3], owner)
  if score and elig < now then
    redis.call('ZREM', KEYS[3], owner)
    redis.call('HSET', KEYS[6], 'held', score, 'heldAt', tostring(now))
    redis.call('PEXPIRE', KEYS[6], 600000)
  end
  return refusedUntil
end
redis.call('HSET', KEYS[6], 'elig', tostring(now))
if not redis.call('ZSCORE', KEYS[3], owner) then
  local h = redis.call('HMGET', KEYS[6], 'held', 'heldAt')
  local score = now
  if h[1] and now - tonumber(h[2]) <= grace then score = tonumber(h[1]) end
  redis.call('ZADD', KEYS[3], score, owner)
  redis.call('HDEL', KEYS[6], 'held', 'heldAt')
end
redis.call('PEXPIRE', KEYS[3], 600000)
redis.call('PEXPIRE', KEYS[6], 600000)
local v = redis.call('HMGET', KEYS[1], 'next', 'lease')
local freeAt = math.max(tonumber(v[1] or '0'), tonumber(v[2] or '0'))
if freeAt > now then return freeAt end
local graceEnd = freeAt + grace
while true do
  local head = redis.call('ZRANGE', KEYS[3], 0, 0)[1]
  if head == nil or head == owner then break end
  if now < graceEnd then return graceEnd end
  redis.call('ZREM', KEYS[3], head)
end
redis.call('ZREM', KEYS[3], owner)
redis.call('ZREM', KEYS[4], owner)
redis.call('HDEL', KEYS[5], owner)
redis.call('HSET', KEYS[1], 'lease', tostring(now + tonumber(ARGV[2])), 'owner', owner)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
return 0
`;

/**
 * endListing: KEYS list, folder; ARGV owner, sent ('1'/'0'), nextAt, folderNextAt, now, ttl. Frees the lease when the
 * caller holds it; when sent, moves the next-listing times forward (never back: another gateway may have set
 * later ones while this one was cut off).
 */
export const END_LISTING = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('HSET', KEYS[1], 'lease', '0', 'owner', '') end
if ARGV[2] ~= '1' then return 0 end
local nextAt = math.max(tonumber(redis.call('HGET', KEYS[1], 'next') or '0'), tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'next', tostring(nextAt))
redis.call('PEXPIRE', KEYS[1], ARGV[6])
local folderAt = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), tonumber(ARGV[4]))
local ttl = folderAt - tonumber(ARGV[5])
if ttl > 0 then redis.call('SET', KEYS[2], tostring(folderAt), 'PX', math.ceil(ttl)) end
return 1
`;

/**
 * The merge a gateway sends when Redis is back after it ran on local state: its own later times win, and the
 * listing lease it may still hold from before the loss is freed. KEYS list, call; ARGV owner, nextListingAt,
 * nextCallAt, ttl (of both keys).
 */
export const MERGE_BACK = `
if redis.call('HGET', KEYS[1], 'owner') == ARGV[1] then redis.call('HSET', KEYS[1], 'lease', '0', 'owner', '') end
local nextAt = math.max(tonumber(redis.call('HGET', KEYS[1], 'next') or '0'), tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'next', tostring(nextAt))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local callAt = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), tonumber(ARGV[3]))
redis.call('SET', KEYS[2], tostring(callAt), 'PX', ARGV[4])
return 1
`;
