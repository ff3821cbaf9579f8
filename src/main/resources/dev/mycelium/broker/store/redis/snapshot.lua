-- The peers as of one revision, with every peer's last sign of life (microseconds).
return {redis.call('GET', P .. 'rev') or '0', redis.call('HGETALL', PEERS),
  redis.call('ZRANGE', P .. 'seen', 0, -1, 'WITHSCORES')}
