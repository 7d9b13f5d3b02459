/** Who this beat is: added to every event as `agent.*` and shown by the monitoring endpoint. */
export interface BeatInfo {
  /** The beat's type, e.g. `packetbeat`. */
  readonly beat: string;
  /** `name` setting, or the hostname. */
  readonly name: string;
  readonly version: string;
  /** Persisted across restarts in `path.data/meta.json`. */
  readonly id: string;
  /** New at every start. */
  readonly ephemeralId: string;
  readonly hostname: string;
  readonly startTime: Date;
}
