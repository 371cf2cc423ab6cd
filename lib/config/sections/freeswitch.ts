/**
 * `telephony.freeswitch`: the production driver (drachtio-srf signalling via a
 * drachtio-server, media on one or more FreeSWITCH servers through
 * drachtio-fsmrf). Owned by the freeswitch-driver work; only read when
 * `telephony.driver` is `freeswitch` (then `checkFreeswitchConfig` in
 * lib/telephony/drivers/freeswitch/config.ts refuses a start with a missing key).
 */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../typebox';
export const freeswitchSchema = Type.Object(
  {
    /** The drachtio-server's control socket (inbound connection from us). */
    drachtio: Type.Object(
      {
        host: Type.String({ default: '' }),
        port: Type.Integer({ minimum: 1, maximum: 65535, default: 9022 }),
        secret: Type.String({ default: '' }),
      },
      {
        additionalProperties: false,
        default: {},
      },
    ),
    /** FreeSWITCH event sockets; calls are spread over them by load. */
    mediaServers: Type.Array(
      Type.Object(
        {
          /** How the API (POST /telephony/media-servers/:name/drain) and the logs call it; `address:port` when absent or empty. */
          name: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._:-]*$' })),
          address: Type.String({ minLength: 1 }),
          port: Type.Integer({ minimum: 1, maximum: 65535, default: 8021 }),
          secret: Type.String({ default: '' }),
          /** The sofia profile fsmrf sends its INVITEs to (freeswitch-conf/sip_profiles/drachtio_mrf.xml). */
          profile: Type.String({ minLength: 1, default: 'drachtio_mrf' }),
          /** Address FreeSWITCH's outbound event socket connects back to (fsmrf picks the first non-loopback one otherwise). */
          listenAddress: Type.String({ default: '' }),
          /** True when this FreeSWITCH runs on the dialer's host: the named-pipe audio stream is possible. */
          local: Type.Boolean({ default: false }),
          /**
           * Native audio mode: the dialer's address as this FreeSWITCH reaches it; a leg's audio is sent there
           * as RTP (to a UDP port in forkPortMin–forkPortMax, else an ephemeral one) for the person/machine decision. Empty: listenAddress, then
           * 127.0.0.1 for a local media server.
           */
          forkAddress: Type.String({ default: '' }),
        },
        {
          additionalProperties: false,
        },
      ),
      {
        default: [],
      },
    ),
    /**
     * stream: a leg's audio goes through a named pipe to our lib/media analysers
     * (same detectors and accuracy as the embedded driver; needs `local` media
     * servers). native: FreeSWITCH detects the tones (mod_spandsp; beep by spandsp or
     * mod_avmd) and sends the leg's audio as RTP to the dialer (forkAddress), where
     * lib/media decides person / machine / silence (any media server, local or not).
     * auto: stream on local media servers, native on the others.
     */
    audioMode: StringEnum(['auto', 'stream', 'native'], { default: 'auto' }),
    /** Where named pipes are made (must be readable by FreeSWITCH and us). */
    fifoDir: Type.String({ default: '/tmp/dialer-fifo' }),
    /**
     * Native mode: the UDP ports (inclusive, even ones used: RTCP takes the odd
     * one above, RFC 3550 §11) the dialer receives each analysed leg's fork on,
     * so a firewall between FreeSWITCH and the dialer can open just these. Both
     * 0 (the default): an ephemeral port from the kernel. One socket per
     * analysed call in flight: the range holds (max - min) / 2 + 1 of them.
     */
    forkPortMin: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
    forkPortMax: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
    /** Native beep detector: spandsp descriptor on the leg (works) or mod_avmd on the fork's sink endpoint. */
    beepDetector: StringEnum(['spandsp', 'avmd'], { default: 'spandsp' }),
    /** local_stream name of the hold music (freeswitch-conf/autoload_configs/local_stream.conf.xml). */
    holdStream: Type.String({ minLength: 1, default: 'dialer_hold' }),
    /**
     * spandsp tone descriptors (freeswitch-conf/autoload_configs/spandsp.conf.xml)
     * started per region, and what each detected tone name means.
     */
    toneDescriptors: Type.Record(Type.String(), Type.String({ minLength: 1 }), {
      default: { NA: 'dialer_na', JP: 'dialer_jp', UK: 'dialer_uk', DE: 'dialer_de' },
    }),
    /**
     * A descriptor to run before answer (early media) instead, per region; a
     * region not listed (none by default) keeps its toneDescriptors entry for
     * the whole call. mod_spandsp runs one detector per channel, so another
     * early descriptor is stopped and the answered one started at answer, and a
     * tone pattern in progress then is lost: a carrier's SIT played at answer
     * was missed under load that way. A voicemail beep before answer is ignored.
     */
    earlyToneDescriptors: Type.Record(Type.String(), Type.String({ minLength: 1 }), { default: {} }),
    /** How long `start()` waits for drachtio and each media server. */
    connectTimeoutMs: Type.Integer({ minimum: 100, default: 5000 }),
    /**
     * A media server that failed to create an endpoint gets no new calls for
     * this long (the call is placed on another; nothing had gone to the far end).
     */
    mediaServerBackoffMs: Type.Integer({ minimum: 0, default: 5000 }),
    /**
     * The most endpoint creations in flight at once per media server; the
     * others wait their turn in order. Below it the limit adapts to how fast
     * creations complete (lib/telephony/drivers/freeswitch/gate.ts: unbounded,
     * 40 creations/s under load timed out in fsmrf's fixed 4 s).
     */
    endpointCreationLimit: Type.Integer({ minimum: 1, default: 32 }),
    /**
     * The longest a creation waits for its turn; then the call is refused
     * (NO_CAPACITY, given back uncounted) before anything is sent.
     */
    endpointQueueTimeoutMs: Type.Integer({ minimum: 1, default: 5000 }),
    /**
     * A connected media server from which nothing (no HEARTBEAT) came for this
     * long is treated as down: no new calls, its calls end once. FreeSWITCH
     * sends HEARTBEAT every `event-heartbeat-interval` s (switch.conf.xml:
     * 20 by default, 5 in freeswitch-conf/): keep this at 3 intervals or more.
     */
    mediaServerSilenceMs: Type.Integer({ minimum: 1000, default: 60000 }),
    /**
     * The longest a media server may leave a call's set-up request unanswered
     * (the INVITE creating its endpoint, once the creation has its turn; the
     * commands attaching detection, plus `endpointQueueTimeoutMs` in native
     * mode, where they make the fork's sink). Then the call is refused (NO_CAPACITY,
     * given back uncounted, nothing sent) and the server gets no new calls
     * until it answers (stall.ts). A hung FreeSWITCH otherwise holds each call
     * for Timer B (32 s) and the runner's tick with it. Above fsmrf's fixed 4 s
     * for the endpoint's event socket, which the gate tries twice.
     */
    mediaServerStallMs: Type.Integer({ minimum: 1000, default: 10000 }),
  },
  {
    additionalProperties: false,
    default: {},
  },
);

export type FreeswitchConfig = Static<typeof freeswitchSchema>;
export type FreeswitchMediaServerConfig = FreeswitchConfig['mediaServers'][number];
