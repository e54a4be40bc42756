import { VppApiError, VppDecodeError, VppEncodeError, vppErrorCode, vppErrorName, vppErrors } from './errors';

describe('VPP API errors', () => {
  it('names retval codes from api-errors.json', () => {
    expect(vppErrorName(-6)).toEqual({ code: -6, name: 'VNET_API_ERROR_NO_SUCH_ENTRY', text: 'No such entry' });
    expect(vppErrorName(-1).name).toBe('VNET_API_ERROR_UNSPECIFIED');
    expect(vppErrorName(0)).toEqual({ code: 0, name: 'OK', text: 'Success' });
    expect(vppErrorName(-9999)).toEqual({ code: -9999, name: 'VNET_API_ERROR_MINUS_9999', text: 'Unknown error -9999' });
    expect(vppErrorCode('VNET_API_ERROR_INVALID_SW_IF_INDEX')).toBe(-2);
    expect(vppErrors().length).toBeGreaterThan(100);
  });

  it('VppApiError carries retval, name, text and the message name', () => {
    const e = new VppApiError('cnat_translation_del', -6);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('VppApiError');
    expect(e.retval).toBe(-6);
    expect(e.errorName).toBe('VNET_API_ERROR_NO_SUCH_ENTRY');
    expect(e.text).toBe('No such entry');
    expect(e.messageName).toBe('cnat_translation_del');
    expect(e.message).toBe('cnat_translation_del failed: VNET_API_ERROR_NO_SUCH_ENTRY (-6): No such entry');
  });

  it('codec errors are Error subclasses with names', () => {
    const d = new VppDecodeError('truncated', 'control_ping', 'context', 6, 'need 4 byte(s), 0 left');
    expect(d).toBeInstanceOf(Error);
    expect(d.name).toBe('VppDecodeError');
    expect(d.message).toBe('cannot decode control_ping.context at byte 6: truncated (need 4 byte(s), 0 left)');
    const x = new VppEncodeError('bad', ['b', '[1]', 'c']).within('a').within('msg', true);
    expect(x.message).toBe('cannot encode msg.a.b[1].c: bad');
  });
});
