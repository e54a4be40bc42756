import { nodeMtus } from './mtu';

describe('nodeMtus', () => {
  it('without encapsulation pods get the uplink MTU', () => {
    expect(nodeMtus(1500, [])).toMatchObject({ uplink: 1500, host: 1500, pod: 1500, overhead: 0 });
  });

  it('pods fit the largest encapsulation in use; tunnels what fits inside their outer headers', () => {
    expect(nodeMtus(1500, ['ipip'])).toMatchObject({ pod: 1480, overhead: 20, tunnel: { ipip: 1480, wireguard: 1420 } });
    expect(nodeMtus(9000, ['ipip', 'wireguard'])).toMatchObject({ pod: 8920, host: 9000, overhead: 80 });
    expect(nodeMtus(1450, ['wireguard', 'ipip']).pod).toBe(1370);
  });
});
