// Original file: proto/gobgp.proto

import type { Message as _apipb_Message, Message__Output as _apipb_Message__Output } from '../apipb/Message';

export interface Messages {
  'received'?: (_apipb_Message | null);
  'sent'?: (_apipb_Message | null);
}

export interface Messages__Output {
  'received': (_apipb_Message__Output | null);
  'sent': (_apipb_Message__Output | null);
}
