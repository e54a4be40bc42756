// Original file: proto/gobgp.proto


// Original file: proto/gobgp.proto

export const _apipb_AddBmpRequest_MonitoringPolicy = {
  PRE: 'PRE',
  POST: 'POST',
  BOTH: 'BOTH',
  LOCAL: 'LOCAL',
  ALL: 'ALL',
} as const;

export type _apipb_AddBmpRequest_MonitoringPolicy =
  | 'PRE'
  | 0
  | 'POST'
  | 1
  | 'BOTH'
  | 2
  | 'LOCAL'
  | 3
  | 'ALL'
  | 4

export type _apipb_AddBmpRequest_MonitoringPolicy__Output = typeof _apipb_AddBmpRequest_MonitoringPolicy[keyof typeof _apipb_AddBmpRequest_MonitoringPolicy]

export interface AddBmpRequest {
  'address'?: (string);
  'port'?: (number);
  'policy'?: (_apipb_AddBmpRequest_MonitoringPolicy);
  'StatisticsTimeout'?: (number);
  'SysName'?: (string);
  'SysDescr'?: (string);
}

export interface AddBmpRequest__Output {
  'address': (string);
  'port': (number);
  'policy': (_apipb_AddBmpRequest_MonitoringPolicy__Output);
  'StatisticsTimeout': (number);
  'SysName': (string);
  'SysDescr': (string);
}
