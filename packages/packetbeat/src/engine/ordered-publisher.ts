import type { BeatEvent, PipelineClient, PublishResult } from '@packetbeat-ts/libbeat';

interface Waiting {
  readonly client: PipelineClient;
  readonly event: BeatEvent;
}

/**
 * Publishes the events of several pipeline clients (one per protocol, one
 * for flows) in the order they come, also while the pipeline holds some.
 * A full queue makes the pipeline hold events per client and take them back
 * client by client, so a later event of one protocol could pass an earlier
 * held event of another. Here, once an event is held, the events after it
 * wait in one line until the pipeline has taken it. Then `waitForSpace`
 * publishes them in order. In `drop_if_full` mode nothing is ever held.
 */
export class OrderedPublisher {
  private holding = false;
  private line: (Waiting | undefined)[] = [];
  private head = 0;

  constructor(private readonly clients: readonly PipelineClient[]) {}

  /** Whether an event is held: the source should call `waitForSpace` before more packets. */
  get held(): boolean {
    return this.holding;
  }

  publish(client: PipelineClient, event: BeatEvent): PublishResult {
    if (this.holding) {
      this.line.push({ client, event });
      return 'held';
    }
    const result = client.publish(event);
    if (result === 'held') this.holding = true;
    return result;
  }

  /** Resolves once the pipeline has taken every held and waiting event. */
  async waitForSpace(): Promise<void> {
    while (this.holding) {
      await Promise.all(this.clients.map((c) => c.waitForSpace()));
      this.holding = false;
      while (this.head < this.line.length) {
        const next = this.line[this.head] as Waiting;
        this.line[this.head++] = undefined;
        if (next.client.publish(next.event) === 'held') {
          this.holding = true;
          break;
        }
      }
      if (!this.holding) {
        this.line = [];
        this.head = 0;
      }
    }
  }
}
