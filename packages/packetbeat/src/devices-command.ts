import type { BeatCommandSpec } from '@packetbeat-ts/libbeat';
import { liveCaptureBackend } from './sources/live-source.js';

/** `packetbeat devices`: the interfaces libpcap can capture on, numbered as `-i`/`device: N` expects. */
export const devicesCommand: BeatCommandSpec = {
  name: 'devices',
  description: 'list the network devices available for capture',
  run({ stdout }) {
    // The same list, in the same order, that `device: N` resolves against.
    const backend = liveCaptureBackend();
    const devices = backend.kind === 'native' ? backend.binding.deviceList() : backend.cap.Cap.deviceList();
    devices.forEach((device, index) => {
      const addresses = device.addresses.map((a) => a.addr).filter((a) => a !== undefined && a !== '');
      const description = device.description !== undefined && device.description !== '' ? device.description : 'No description available';
      stdout.write(`${index}: ${device.name} (${description}) (${addresses.length > 0 ? addresses.join(' ') : 'Not assigned ip address'})\n`);
    });
    return Promise.resolve(0);
  },
};
