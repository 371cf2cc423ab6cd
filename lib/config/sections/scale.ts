/** Several dialer processes sharing one Redis (lib/scale). */
export const scaleSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    /** Hold trunk and campaign calls-per-second and channel limits in Redis, shared by every process. */
    sharedLimits: { type: 'boolean', default: true },
    /** Added to the one-second calls-per-second window, so send jitter cannot push a carrier's count over. */
    cpsGuardMs: { type: 'integer', minimum: 0, maximum: 1000, default: 100 },
    /** Spread running campaigns over the live dialer processes (registry heartbeat + rendezvous hashing). */
    spread: { type: 'boolean', default: true },
    /** Heartbeat interval of this process in the registry. */
    beatMs: { type: 'integer', minimum: 100, default: 1000 },
    /** A process that has not beaten for this long is dead: its campaigns get other owners. */
    memberTtlMs: { type: 'integer', minimum: 500, default: 3000 },
    /** Calls this process can carry, its weight in the spread; 0 = the embedded driver's maxLegs. */
    capacity: { type: 'integer', minimum: 0, default: 0 },
    /** Reserve only agents whose phone leg this process holds (their desk logged them in here). */
    localAgents: { type: 'boolean', default: true },
  },
} as const;

export interface ScaleConfig {
  sharedLimits: boolean;
  cpsGuardMs: number;
  spread: boolean;
  beatMs: number;
  memberTtlMs: number;
  capacity: number;
  localAgents: boolean;
}

/** Redis topology keys added to the `redis` section (one of: url, cluster, sentinels). */
export const redisTopologyProperties = {
  /** Redis Cluster seed nodes, "host:port" each; non-empty selects the cluster client. */
  cluster: { type: 'array', default: [], items: { type: 'string', pattern: '^[^\\s:]+:\\d{1,5}$' } },
  /** Sentinel addresses, "host:port" each; non-empty selects Sentinel with `masterName`. */
  sentinels: { type: 'array', default: [], items: { type: 'string', pattern: '^[^\\s:]+:\\d{1,5}$' } },
  /** The master group the sentinels watch. */
  masterName: { type: 'string', default: 'mymaster' },
  /** Password of the Redis servers (cluster, sentinel-managed or url without one); empty = none. */
  password: { type: 'string', default: '' },
} as const;

export interface RedisTopologyConfig {
  cluster: string[];
  sentinels: string[];
  masterName: string;
  password: string;
}
