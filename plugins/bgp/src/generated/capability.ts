import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Actions as _apipb_Actions, Actions__Output as _apipb_Actions__Output } from './apipb/Actions';
import type { AddBmpRequest as _apipb_AddBmpRequest, AddBmpRequest__Output as _apipb_AddBmpRequest__Output } from './apipb/AddBmpRequest';
import type { AddDefinedSetRequest as _apipb_AddDefinedSetRequest, AddDefinedSetRequest__Output as _apipb_AddDefinedSetRequest__Output } from './apipb/AddDefinedSetRequest';
import type { AddDynamicNeighborRequest as _apipb_AddDynamicNeighborRequest, AddDynamicNeighborRequest__Output as _apipb_AddDynamicNeighborRequest__Output } from './apipb/AddDynamicNeighborRequest';
import type { AddPathCapability as _apipb_AddPathCapability, AddPathCapability__Output as _apipb_AddPathCapability__Output } from './apipb/AddPathCapability';
import type { AddPathCapabilityTuple as _apipb_AddPathCapabilityTuple, AddPathCapabilityTuple__Output as _apipb_AddPathCapabilityTuple__Output } from './apipb/AddPathCapabilityTuple';
import type { AddPathRequest as _apipb_AddPathRequest, AddPathRequest__Output as _apipb_AddPathRequest__Output } from './apipb/AddPathRequest';
import type { AddPathResponse as _apipb_AddPathResponse, AddPathResponse__Output as _apipb_AddPathResponse__Output } from './apipb/AddPathResponse';
import type { AddPathStreamRequest as _apipb_AddPathStreamRequest, AddPathStreamRequest__Output as _apipb_AddPathStreamRequest__Output } from './apipb/AddPathStreamRequest';
import type { AddPaths as _apipb_AddPaths, AddPaths__Output as _apipb_AddPaths__Output } from './apipb/AddPaths';
import type { AddPathsConfig as _apipb_AddPathsConfig, AddPathsConfig__Output as _apipb_AddPathsConfig__Output } from './apipb/AddPathsConfig';
import type { AddPathsState as _apipb_AddPathsState, AddPathsState__Output as _apipb_AddPathsState__Output } from './apipb/AddPathsState';
import type { AddPeerGroupRequest as _apipb_AddPeerGroupRequest, AddPeerGroupRequest__Output as _apipb_AddPeerGroupRequest__Output } from './apipb/AddPeerGroupRequest';
import type { AddPeerRequest as _apipb_AddPeerRequest, AddPeerRequest__Output as _apipb_AddPeerRequest__Output } from './apipb/AddPeerRequest';
import type { AddPolicyAssignmentRequest as _apipb_AddPolicyAssignmentRequest, AddPolicyAssignmentRequest__Output as _apipb_AddPolicyAssignmentRequest__Output } from './apipb/AddPolicyAssignmentRequest';
import type { AddPolicyRequest as _apipb_AddPolicyRequest, AddPolicyRequest__Output as _apipb_AddPolicyRequest__Output } from './apipb/AddPolicyRequest';
import type { AddRpkiRequest as _apipb_AddRpkiRequest, AddRpkiRequest__Output as _apipb_AddRpkiRequest__Output } from './apipb/AddRpkiRequest';
import type { AddStatementRequest as _apipb_AddStatementRequest, AddStatementRequest__Output as _apipb_AddStatementRequest__Output } from './apipb/AddStatementRequest';
import type { AddVrfRequest as _apipb_AddVrfRequest, AddVrfRequest__Output as _apipb_AddVrfRequest__Output } from './apipb/AddVrfRequest';
import type { AfiSafi as _apipb_AfiSafi, AfiSafi__Output as _apipb_AfiSafi__Output } from './apipb/AfiSafi';
import type { AfiSafiConfig as _apipb_AfiSafiConfig, AfiSafiConfig__Output as _apipb_AfiSafiConfig__Output } from './apipb/AfiSafiConfig';
import type { AfiSafiState as _apipb_AfiSafiState, AfiSafiState__Output as _apipb_AfiSafiState__Output } from './apipb/AfiSafiState';
import type { ApplyPolicy as _apipb_ApplyPolicy, ApplyPolicy__Output as _apipb_ApplyPolicy__Output } from './apipb/ApplyPolicy';
import type { AsPathLength as _apipb_AsPathLength, AsPathLength__Output as _apipb_AsPathLength__Output } from './apipb/AsPathLength';
import type { AsPrependAction as _apipb_AsPrependAction, AsPrependAction__Output as _apipb_AsPrependAction__Output } from './apipb/AsPrependAction';
import type { CarryingLabelInfoCapability as _apipb_CarryingLabelInfoCapability, CarryingLabelInfoCapability__Output as _apipb_CarryingLabelInfoCapability__Output } from './apipb/CarryingLabelInfoCapability';
import type { CommunityAction as _apipb_CommunityAction, CommunityAction__Output as _apipb_CommunityAction__Output } from './apipb/CommunityAction';
import type { Conditions as _apipb_Conditions, Conditions__Output as _apipb_Conditions__Output } from './apipb/Conditions';
import type { Confederation as _apipb_Confederation, Confederation__Output as _apipb_Confederation__Output } from './apipb/Confederation';
import type { DefaultRouteDistance as _apipb_DefaultRouteDistance, DefaultRouteDistance__Output as _apipb_DefaultRouteDistance__Output } from './apipb/DefaultRouteDistance';
import type { DefinedSet as _apipb_DefinedSet, DefinedSet__Output as _apipb_DefinedSet__Output } from './apipb/DefinedSet';
import type { DeleteBmpRequest as _apipb_DeleteBmpRequest, DeleteBmpRequest__Output as _apipb_DeleteBmpRequest__Output } from './apipb/DeleteBmpRequest';
import type { DeleteDefinedSetRequest as _apipb_DeleteDefinedSetRequest, DeleteDefinedSetRequest__Output as _apipb_DeleteDefinedSetRequest__Output } from './apipb/DeleteDefinedSetRequest';
import type { DeleteDynamicNeighborRequest as _apipb_DeleteDynamicNeighborRequest, DeleteDynamicNeighborRequest__Output as _apipb_DeleteDynamicNeighborRequest__Output } from './apipb/DeleteDynamicNeighborRequest';
import type { DeletePathRequest as _apipb_DeletePathRequest, DeletePathRequest__Output as _apipb_DeletePathRequest__Output } from './apipb/DeletePathRequest';
import type { DeletePeerGroupRequest as _apipb_DeletePeerGroupRequest, DeletePeerGroupRequest__Output as _apipb_DeletePeerGroupRequest__Output } from './apipb/DeletePeerGroupRequest';
import type { DeletePeerRequest as _apipb_DeletePeerRequest, DeletePeerRequest__Output as _apipb_DeletePeerRequest__Output } from './apipb/DeletePeerRequest';
import type { DeletePolicyAssignmentRequest as _apipb_DeletePolicyAssignmentRequest, DeletePolicyAssignmentRequest__Output as _apipb_DeletePolicyAssignmentRequest__Output } from './apipb/DeletePolicyAssignmentRequest';
import type { DeletePolicyRequest as _apipb_DeletePolicyRequest, DeletePolicyRequest__Output as _apipb_DeletePolicyRequest__Output } from './apipb/DeletePolicyRequest';
import type { DeleteRpkiRequest as _apipb_DeleteRpkiRequest, DeleteRpkiRequest__Output as _apipb_DeleteRpkiRequest__Output } from './apipb/DeleteRpkiRequest';
import type { DeleteStatementRequest as _apipb_DeleteStatementRequest, DeleteStatementRequest__Output as _apipb_DeleteStatementRequest__Output } from './apipb/DeleteStatementRequest';
import type { DeleteVrfRequest as _apipb_DeleteVrfRequest, DeleteVrfRequest__Output as _apipb_DeleteVrfRequest__Output } from './apipb/DeleteVrfRequest';
import type { Destination as _apipb_Destination, Destination__Output as _apipb_Destination__Output } from './apipb/Destination';
import type { DisableMrtRequest as _apipb_DisableMrtRequest, DisableMrtRequest__Output as _apipb_DisableMrtRequest__Output } from './apipb/DisableMrtRequest';
import type { DisablePeerRequest as _apipb_DisablePeerRequest, DisablePeerRequest__Output as _apipb_DisablePeerRequest__Output } from './apipb/DisablePeerRequest';
import type { DisableRpkiRequest as _apipb_DisableRpkiRequest, DisableRpkiRequest__Output as _apipb_DisableRpkiRequest__Output } from './apipb/DisableRpkiRequest';
import type { DynamicNeighbor as _apipb_DynamicNeighbor, DynamicNeighbor__Output as _apipb_DynamicNeighbor__Output } from './apipb/DynamicNeighbor';
import type { Ebgp as _apipb_Ebgp, Ebgp__Output as _apipb_Ebgp__Output } from './apipb/Ebgp';
import type { EbgpConfig as _apipb_EbgpConfig, EbgpConfig__Output as _apipb_EbgpConfig__Output } from './apipb/EbgpConfig';
import type { EbgpMultihop as _apipb_EbgpMultihop, EbgpMultihop__Output as _apipb_EbgpMultihop__Output } from './apipb/EbgpMultihop';
import type { EbgpState as _apipb_EbgpState, EbgpState__Output as _apipb_EbgpState__Output } from './apipb/EbgpState';
import type { EnableMrtRequest as _apipb_EnableMrtRequest, EnableMrtRequest__Output as _apipb_EnableMrtRequest__Output } from './apipb/EnableMrtRequest';
import type { EnablePeerRequest as _apipb_EnablePeerRequest, EnablePeerRequest__Output as _apipb_EnablePeerRequest__Output } from './apipb/EnablePeerRequest';
import type { EnableRpkiRequest as _apipb_EnableRpkiRequest, EnableRpkiRequest__Output as _apipb_EnableRpkiRequest__Output } from './apipb/EnableRpkiRequest';
import type { EnableZebraRequest as _apipb_EnableZebraRequest, EnableZebraRequest__Output as _apipb_EnableZebraRequest__Output } from './apipb/EnableZebraRequest';
import type { EnhancedRouteRefreshCapability as _apipb_EnhancedRouteRefreshCapability, EnhancedRouteRefreshCapability__Output as _apipb_EnhancedRouteRefreshCapability__Output } from './apipb/EnhancedRouteRefreshCapability';
import type { ExtendedNexthopCapability as _apipb_ExtendedNexthopCapability, ExtendedNexthopCapability__Output as _apipb_ExtendedNexthopCapability__Output } from './apipb/ExtendedNexthopCapability';
import type { ExtendedNexthopCapabilityTuple as _apipb_ExtendedNexthopCapabilityTuple, ExtendedNexthopCapabilityTuple__Output as _apipb_ExtendedNexthopCapabilityTuple__Output } from './apipb/ExtendedNexthopCapabilityTuple';
import type { Family as _apipb_Family, Family__Output as _apipb_Family__Output } from './apipb/Family';
import type { FourOctetASNCapability as _apipb_FourOctetASNCapability, FourOctetASNCapability__Output as _apipb_FourOctetASNCapability__Output } from './apipb/FourOctetASNCapability';
import type { FqdnCapability as _apipb_FqdnCapability, FqdnCapability__Output as _apipb_FqdnCapability__Output } from './apipb/FqdnCapability';
import type { GetBgpRequest as _apipb_GetBgpRequest, GetBgpRequest__Output as _apipb_GetBgpRequest__Output } from './apipb/GetBgpRequest';
import type { GetBgpResponse as _apipb_GetBgpResponse, GetBgpResponse__Output as _apipb_GetBgpResponse__Output } from './apipb/GetBgpResponse';
import type { GetTableRequest as _apipb_GetTableRequest, GetTableRequest__Output as _apipb_GetTableRequest__Output } from './apipb/GetTableRequest';
import type { GetTableResponse as _apipb_GetTableResponse, GetTableResponse__Output as _apipb_GetTableResponse__Output } from './apipb/GetTableResponse';
import type { Global as _apipb_Global, Global__Output as _apipb_Global__Output } from './apipb/Global';
import type { GobgpApiClient as _apipb_GobgpApiClient, GobgpApiDefinition as _apipb_GobgpApiDefinition } from './apipb/GobgpApi';
import type { GracefulRestart as _apipb_GracefulRestart, GracefulRestart__Output as _apipb_GracefulRestart__Output } from './apipb/GracefulRestart';
import type { GracefulRestartCapability as _apipb_GracefulRestartCapability, GracefulRestartCapability__Output as _apipb_GracefulRestartCapability__Output } from './apipb/GracefulRestartCapability';
import type { GracefulRestartCapabilityTuple as _apipb_GracefulRestartCapabilityTuple, GracefulRestartCapabilityTuple__Output as _apipb_GracefulRestartCapabilityTuple__Output } from './apipb/GracefulRestartCapabilityTuple';
import type { Ibgp as _apipb_Ibgp, Ibgp__Output as _apipb_Ibgp__Output } from './apipb/Ibgp';
import type { IbgpConfig as _apipb_IbgpConfig, IbgpConfig__Output as _apipb_IbgpConfig__Output } from './apipb/IbgpConfig';
import type { IbgpState as _apipb_IbgpState, IbgpState__Output as _apipb_IbgpState__Output } from './apipb/IbgpState';
import type { ListBmpRequest as _apipb_ListBmpRequest, ListBmpRequest__Output as _apipb_ListBmpRequest__Output } from './apipb/ListBmpRequest';
import type { ListBmpResponse as _apipb_ListBmpResponse, ListBmpResponse__Output as _apipb_ListBmpResponse__Output } from './apipb/ListBmpResponse';
import type { ListDefinedSetRequest as _apipb_ListDefinedSetRequest, ListDefinedSetRequest__Output as _apipb_ListDefinedSetRequest__Output } from './apipb/ListDefinedSetRequest';
import type { ListDefinedSetResponse as _apipb_ListDefinedSetResponse, ListDefinedSetResponse__Output as _apipb_ListDefinedSetResponse__Output } from './apipb/ListDefinedSetResponse';
import type { ListDynamicNeighborRequest as _apipb_ListDynamicNeighborRequest, ListDynamicNeighborRequest__Output as _apipb_ListDynamicNeighborRequest__Output } from './apipb/ListDynamicNeighborRequest';
import type { ListDynamicNeighborResponse as _apipb_ListDynamicNeighborResponse, ListDynamicNeighborResponse__Output as _apipb_ListDynamicNeighborResponse__Output } from './apipb/ListDynamicNeighborResponse';
import type { ListPathRequest as _apipb_ListPathRequest, ListPathRequest__Output as _apipb_ListPathRequest__Output } from './apipb/ListPathRequest';
import type { ListPathResponse as _apipb_ListPathResponse, ListPathResponse__Output as _apipb_ListPathResponse__Output } from './apipb/ListPathResponse';
import type { ListPeerGroupRequest as _apipb_ListPeerGroupRequest, ListPeerGroupRequest__Output as _apipb_ListPeerGroupRequest__Output } from './apipb/ListPeerGroupRequest';
import type { ListPeerGroupResponse as _apipb_ListPeerGroupResponse, ListPeerGroupResponse__Output as _apipb_ListPeerGroupResponse__Output } from './apipb/ListPeerGroupResponse';
import type { ListPeerRequest as _apipb_ListPeerRequest, ListPeerRequest__Output as _apipb_ListPeerRequest__Output } from './apipb/ListPeerRequest';
import type { ListPeerResponse as _apipb_ListPeerResponse, ListPeerResponse__Output as _apipb_ListPeerResponse__Output } from './apipb/ListPeerResponse';
import type { ListPolicyAssignmentRequest as _apipb_ListPolicyAssignmentRequest, ListPolicyAssignmentRequest__Output as _apipb_ListPolicyAssignmentRequest__Output } from './apipb/ListPolicyAssignmentRequest';
import type { ListPolicyAssignmentResponse as _apipb_ListPolicyAssignmentResponse, ListPolicyAssignmentResponse__Output as _apipb_ListPolicyAssignmentResponse__Output } from './apipb/ListPolicyAssignmentResponse';
import type { ListPolicyRequest as _apipb_ListPolicyRequest, ListPolicyRequest__Output as _apipb_ListPolicyRequest__Output } from './apipb/ListPolicyRequest';
import type { ListPolicyResponse as _apipb_ListPolicyResponse, ListPolicyResponse__Output as _apipb_ListPolicyResponse__Output } from './apipb/ListPolicyResponse';
import type { ListRpkiRequest as _apipb_ListRpkiRequest, ListRpkiRequest__Output as _apipb_ListRpkiRequest__Output } from './apipb/ListRpkiRequest';
import type { ListRpkiResponse as _apipb_ListRpkiResponse, ListRpkiResponse__Output as _apipb_ListRpkiResponse__Output } from './apipb/ListRpkiResponse';
import type { ListRpkiTableRequest as _apipb_ListRpkiTableRequest, ListRpkiTableRequest__Output as _apipb_ListRpkiTableRequest__Output } from './apipb/ListRpkiTableRequest';
import type { ListRpkiTableResponse as _apipb_ListRpkiTableResponse, ListRpkiTableResponse__Output as _apipb_ListRpkiTableResponse__Output } from './apipb/ListRpkiTableResponse';
import type { ListStatementRequest as _apipb_ListStatementRequest, ListStatementRequest__Output as _apipb_ListStatementRequest__Output } from './apipb/ListStatementRequest';
import type { ListStatementResponse as _apipb_ListStatementResponse, ListStatementResponse__Output as _apipb_ListStatementResponse__Output } from './apipb/ListStatementResponse';
import type { ListVrfRequest as _apipb_ListVrfRequest, ListVrfRequest__Output as _apipb_ListVrfRequest__Output } from './apipb/ListVrfRequest';
import type { ListVrfResponse as _apipb_ListVrfResponse, ListVrfResponse__Output as _apipb_ListVrfResponse__Output } from './apipb/ListVrfResponse';
import type { LocalPrefAction as _apipb_LocalPrefAction, LocalPrefAction__Output as _apipb_LocalPrefAction__Output } from './apipb/LocalPrefAction';
import type { LongLivedGracefulRestart as _apipb_LongLivedGracefulRestart, LongLivedGracefulRestart__Output as _apipb_LongLivedGracefulRestart__Output } from './apipb/LongLivedGracefulRestart';
import type { LongLivedGracefulRestartCapability as _apipb_LongLivedGracefulRestartCapability, LongLivedGracefulRestartCapability__Output as _apipb_LongLivedGracefulRestartCapability__Output } from './apipb/LongLivedGracefulRestartCapability';
import type { LongLivedGracefulRestartCapabilityTuple as _apipb_LongLivedGracefulRestartCapabilityTuple, LongLivedGracefulRestartCapabilityTuple__Output as _apipb_LongLivedGracefulRestartCapabilityTuple__Output } from './apipb/LongLivedGracefulRestartCapabilityTuple';
import type { LongLivedGracefulRestartConfig as _apipb_LongLivedGracefulRestartConfig, LongLivedGracefulRestartConfig__Output as _apipb_LongLivedGracefulRestartConfig__Output } from './apipb/LongLivedGracefulRestartConfig';
import type { LongLivedGracefulRestartState as _apipb_LongLivedGracefulRestartState, LongLivedGracefulRestartState__Output as _apipb_LongLivedGracefulRestartState__Output } from './apipb/LongLivedGracefulRestartState';
import type { MatchSet as _apipb_MatchSet, MatchSet__Output as _apipb_MatchSet__Output } from './apipb/MatchSet';
import type { MedAction as _apipb_MedAction, MedAction__Output as _apipb_MedAction__Output } from './apipb/MedAction';
import type { Message as _apipb_Message, Message__Output as _apipb_Message__Output } from './apipb/Message';
import type { Messages as _apipb_Messages, Messages__Output as _apipb_Messages__Output } from './apipb/Messages';
import type { MpGracefulRestart as _apipb_MpGracefulRestart, MpGracefulRestart__Output as _apipb_MpGracefulRestart__Output } from './apipb/MpGracefulRestart';
import type { MpGracefulRestartConfig as _apipb_MpGracefulRestartConfig, MpGracefulRestartConfig__Output as _apipb_MpGracefulRestartConfig__Output } from './apipb/MpGracefulRestartConfig';
import type { MpGracefulRestartState as _apipb_MpGracefulRestartState, MpGracefulRestartState__Output as _apipb_MpGracefulRestartState__Output } from './apipb/MpGracefulRestartState';
import type { MultiProtocolCapability as _apipb_MultiProtocolCapability, MultiProtocolCapability__Output as _apipb_MultiProtocolCapability__Output } from './apipb/MultiProtocolCapability';
import type { NexthopAction as _apipb_NexthopAction, NexthopAction__Output as _apipb_NexthopAction__Output } from './apipb/NexthopAction';
import type { Path as _apipb_Path, Path__Output as _apipb_Path__Output } from './apipb/Path';
import type { Peer as _apipb_Peer, Peer__Output as _apipb_Peer__Output } from './apipb/Peer';
import type { PeerConf as _apipb_PeerConf, PeerConf__Output as _apipb_PeerConf__Output } from './apipb/PeerConf';
import type { PeerGroup as _apipb_PeerGroup, PeerGroup__Output as _apipb_PeerGroup__Output } from './apipb/PeerGroup';
import type { PeerGroupConf as _apipb_PeerGroupConf, PeerGroupConf__Output as _apipb_PeerGroupConf__Output } from './apipb/PeerGroupConf';
import type { PeerGroupState as _apipb_PeerGroupState, PeerGroupState__Output as _apipb_PeerGroupState__Output } from './apipb/PeerGroupState';
import type { PeerState as _apipb_PeerState, PeerState__Output as _apipb_PeerState__Output } from './apipb/PeerState';
import type { Policy as _apipb_Policy, Policy__Output as _apipb_Policy__Output } from './apipb/Policy';
import type { PolicyAssignment as _apipb_PolicyAssignment, PolicyAssignment__Output as _apipb_PolicyAssignment__Output } from './apipb/PolicyAssignment';
import type { Prefix as _apipb_Prefix, Prefix__Output as _apipb_Prefix__Output } from './apipb/Prefix';
import type { PrefixLimit as _apipb_PrefixLimit, PrefixLimit__Output as _apipb_PrefixLimit__Output } from './apipb/PrefixLimit';
import type { Queues as _apipb_Queues, Queues__Output as _apipb_Queues__Output } from './apipb/Queues';
import type { RPKIConf as _apipb_RPKIConf, RPKIConf__Output as _apipb_RPKIConf__Output } from './apipb/RPKIConf';
import type { RPKIState as _apipb_RPKIState, RPKIState__Output as _apipb_RPKIState__Output } from './apipb/RPKIState';
import type { ResetPeerRequest as _apipb_ResetPeerRequest, ResetPeerRequest__Output as _apipb_ResetPeerRequest__Output } from './apipb/ResetPeerRequest';
import type { ResetRpkiRequest as _apipb_ResetRpkiRequest, ResetRpkiRequest__Output as _apipb_ResetRpkiRequest__Output } from './apipb/ResetRpkiRequest';
import type { Roa as _apipb_Roa, Roa__Output as _apipb_Roa__Output } from './apipb/Roa';
import type { RouteReflector as _apipb_RouteReflector, RouteReflector__Output as _apipb_RouteReflector__Output } from './apipb/RouteReflector';
import type { RouteRefreshCapability as _apipb_RouteRefreshCapability, RouteRefreshCapability__Output as _apipb_RouteRefreshCapability__Output } from './apipb/RouteRefreshCapability';
import type { RouteRefreshCiscoCapability as _apipb_RouteRefreshCiscoCapability, RouteRefreshCiscoCapability__Output as _apipb_RouteRefreshCiscoCapability__Output } from './apipb/RouteRefreshCiscoCapability';
import type { RouteSelectionOptions as _apipb_RouteSelectionOptions, RouteSelectionOptions__Output as _apipb_RouteSelectionOptions__Output } from './apipb/RouteSelectionOptions';
import type { RouteSelectionOptionsConfig as _apipb_RouteSelectionOptionsConfig, RouteSelectionOptionsConfig__Output as _apipb_RouteSelectionOptionsConfig__Output } from './apipb/RouteSelectionOptionsConfig';
import type { RouteSelectionOptionsState as _apipb_RouteSelectionOptionsState, RouteSelectionOptionsState__Output as _apipb_RouteSelectionOptionsState__Output } from './apipb/RouteSelectionOptionsState';
import type { RouteServer as _apipb_RouteServer, RouteServer__Output as _apipb_RouteServer__Output } from './apipb/RouteServer';
import type { RouteTargetMembership as _apipb_RouteTargetMembership, RouteTargetMembership__Output as _apipb_RouteTargetMembership__Output } from './apipb/RouteTargetMembership';
import type { RouteTargetMembershipConfig as _apipb_RouteTargetMembershipConfig, RouteTargetMembershipConfig__Output as _apipb_RouteTargetMembershipConfig__Output } from './apipb/RouteTargetMembershipConfig';
import type { RouteTargetMembershipState as _apipb_RouteTargetMembershipState, RouteTargetMembershipState__Output as _apipb_RouteTargetMembershipState__Output } from './apipb/RouteTargetMembershipState';
import type { RoutingPolicy as _apipb_RoutingPolicy, RoutingPolicy__Output as _apipb_RoutingPolicy__Output } from './apipb/RoutingPolicy';
import type { Rpki as _apipb_Rpki, Rpki__Output as _apipb_Rpki__Output } from './apipb/Rpki';
import type { SetLogLevelRequest as _apipb_SetLogLevelRequest, SetLogLevelRequest__Output as _apipb_SetLogLevelRequest__Output } from './apipb/SetLogLevelRequest';
import type { SetPoliciesRequest as _apipb_SetPoliciesRequest, SetPoliciesRequest__Output as _apipb_SetPoliciesRequest__Output } from './apipb/SetPoliciesRequest';
import type { SetPolicyAssignmentRequest as _apipb_SetPolicyAssignmentRequest, SetPolicyAssignmentRequest__Output as _apipb_SetPolicyAssignmentRequest__Output } from './apipb/SetPolicyAssignmentRequest';
import type { ShutdownPeerRequest as _apipb_ShutdownPeerRequest, ShutdownPeerRequest__Output as _apipb_ShutdownPeerRequest__Output } from './apipb/ShutdownPeerRequest';
import type { StartBgpRequest as _apipb_StartBgpRequest, StartBgpRequest__Output as _apipb_StartBgpRequest__Output } from './apipb/StartBgpRequest';
import type { Statement as _apipb_Statement, Statement__Output as _apipb_Statement__Output } from './apipb/Statement';
import type { StopBgpRequest as _apipb_StopBgpRequest, StopBgpRequest__Output as _apipb_StopBgpRequest__Output } from './apipb/StopBgpRequest';
import type { TableLookupPrefix as _apipb_TableLookupPrefix, TableLookupPrefix__Output as _apipb_TableLookupPrefix__Output } from './apipb/TableLookupPrefix';
import type { Timers as _apipb_Timers, Timers__Output as _apipb_Timers__Output } from './apipb/Timers';
import type { TimersConfig as _apipb_TimersConfig, TimersConfig__Output as _apipb_TimersConfig__Output } from './apipb/TimersConfig';
import type { TimersState as _apipb_TimersState, TimersState__Output as _apipb_TimersState__Output } from './apipb/TimersState';
import type { Transport as _apipb_Transport, Transport__Output as _apipb_Transport__Output } from './apipb/Transport';
import type { TtlSecurity as _apipb_TtlSecurity, TtlSecurity__Output as _apipb_TtlSecurity__Output } from './apipb/TtlSecurity';
import type { UnknownCapability as _apipb_UnknownCapability, UnknownCapability__Output as _apipb_UnknownCapability__Output } from './apipb/UnknownCapability';
import type { UpdatePeerGroupRequest as _apipb_UpdatePeerGroupRequest, UpdatePeerGroupRequest__Output as _apipb_UpdatePeerGroupRequest__Output } from './apipb/UpdatePeerGroupRequest';
import type { UpdatePeerGroupResponse as _apipb_UpdatePeerGroupResponse, UpdatePeerGroupResponse__Output as _apipb_UpdatePeerGroupResponse__Output } from './apipb/UpdatePeerGroupResponse';
import type { UpdatePeerRequest as _apipb_UpdatePeerRequest, UpdatePeerRequest__Output as _apipb_UpdatePeerRequest__Output } from './apipb/UpdatePeerRequest';
import type { UpdatePeerResponse as _apipb_UpdatePeerResponse, UpdatePeerResponse__Output as _apipb_UpdatePeerResponse__Output } from './apipb/UpdatePeerResponse';
import type { UseMultiplePaths as _apipb_UseMultiplePaths, UseMultiplePaths__Output as _apipb_UseMultiplePaths__Output } from './apipb/UseMultiplePaths';
import type { UseMultiplePathsConfig as _apipb_UseMultiplePathsConfig, UseMultiplePathsConfig__Output as _apipb_UseMultiplePathsConfig__Output } from './apipb/UseMultiplePathsConfig';
import type { UseMultiplePathsState as _apipb_UseMultiplePathsState, UseMultiplePathsState__Output as _apipb_UseMultiplePathsState__Output } from './apipb/UseMultiplePathsState';
import type { Validation as _apipb_Validation, Validation__Output as _apipb_Validation__Output } from './apipb/Validation';
import type { Vrf as _apipb_Vrf, Vrf__Output as _apipb_Vrf__Output } from './apipb/Vrf';
import type { WatchEventRequest as _apipb_WatchEventRequest, WatchEventRequest__Output as _apipb_WatchEventRequest__Output } from './apipb/WatchEventRequest';
import type { WatchEventResponse as _apipb_WatchEventResponse, WatchEventResponse__Output as _apipb_WatchEventResponse__Output } from './apipb/WatchEventResponse';
import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from './google/protobuf/Any';
import type { Empty as _google_protobuf_Empty, Empty__Output as _google_protobuf_Empty__Output } from './google/protobuf/Empty';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  apipb: {
    Actions: MessageTypeDefinition<_apipb_Actions, _apipb_Actions__Output>
    AddBmpRequest: MessageTypeDefinition<_apipb_AddBmpRequest, _apipb_AddBmpRequest__Output>
    AddDefinedSetRequest: MessageTypeDefinition<_apipb_AddDefinedSetRequest, _apipb_AddDefinedSetRequest__Output>
    AddDynamicNeighborRequest: MessageTypeDefinition<_apipb_AddDynamicNeighborRequest, _apipb_AddDynamicNeighborRequest__Output>
    AddPathCapability: MessageTypeDefinition<_apipb_AddPathCapability, _apipb_AddPathCapability__Output>
    AddPathCapabilityTuple: MessageTypeDefinition<_apipb_AddPathCapabilityTuple, _apipb_AddPathCapabilityTuple__Output>
    AddPathRequest: MessageTypeDefinition<_apipb_AddPathRequest, _apipb_AddPathRequest__Output>
    AddPathResponse: MessageTypeDefinition<_apipb_AddPathResponse, _apipb_AddPathResponse__Output>
    AddPathStreamRequest: MessageTypeDefinition<_apipb_AddPathStreamRequest, _apipb_AddPathStreamRequest__Output>
    AddPaths: MessageTypeDefinition<_apipb_AddPaths, _apipb_AddPaths__Output>
    AddPathsConfig: MessageTypeDefinition<_apipb_AddPathsConfig, _apipb_AddPathsConfig__Output>
    AddPathsState: MessageTypeDefinition<_apipb_AddPathsState, _apipb_AddPathsState__Output>
    AddPeerGroupRequest: MessageTypeDefinition<_apipb_AddPeerGroupRequest, _apipb_AddPeerGroupRequest__Output>
    AddPeerRequest: MessageTypeDefinition<_apipb_AddPeerRequest, _apipb_AddPeerRequest__Output>
    AddPolicyAssignmentRequest: MessageTypeDefinition<_apipb_AddPolicyAssignmentRequest, _apipb_AddPolicyAssignmentRequest__Output>
    AddPolicyRequest: MessageTypeDefinition<_apipb_AddPolicyRequest, _apipb_AddPolicyRequest__Output>
    AddRpkiRequest: MessageTypeDefinition<_apipb_AddRpkiRequest, _apipb_AddRpkiRequest__Output>
    AddStatementRequest: MessageTypeDefinition<_apipb_AddStatementRequest, _apipb_AddStatementRequest__Output>
    AddVrfRequest: MessageTypeDefinition<_apipb_AddVrfRequest, _apipb_AddVrfRequest__Output>
    AfiSafi: MessageTypeDefinition<_apipb_AfiSafi, _apipb_AfiSafi__Output>
    AfiSafiConfig: MessageTypeDefinition<_apipb_AfiSafiConfig, _apipb_AfiSafiConfig__Output>
    AfiSafiState: MessageTypeDefinition<_apipb_AfiSafiState, _apipb_AfiSafiState__Output>
    ApplyPolicy: MessageTypeDefinition<_apipb_ApplyPolicy, _apipb_ApplyPolicy__Output>
    AsPathLength: MessageTypeDefinition<_apipb_AsPathLength, _apipb_AsPathLength__Output>
    AsPrependAction: MessageTypeDefinition<_apipb_AsPrependAction, _apipb_AsPrependAction__Output>
    CarryingLabelInfoCapability: MessageTypeDefinition<_apipb_CarryingLabelInfoCapability, _apipb_CarryingLabelInfoCapability__Output>
    CommunityAction: MessageTypeDefinition<_apipb_CommunityAction, _apipb_CommunityAction__Output>
    Conditions: MessageTypeDefinition<_apipb_Conditions, _apipb_Conditions__Output>
    Confederation: MessageTypeDefinition<_apipb_Confederation, _apipb_Confederation__Output>
    DefaultRouteDistance: MessageTypeDefinition<_apipb_DefaultRouteDistance, _apipb_DefaultRouteDistance__Output>
    DefinedSet: MessageTypeDefinition<_apipb_DefinedSet, _apipb_DefinedSet__Output>
    DefinedType: EnumTypeDefinition
    DeleteBmpRequest: MessageTypeDefinition<_apipb_DeleteBmpRequest, _apipb_DeleteBmpRequest__Output>
    DeleteDefinedSetRequest: MessageTypeDefinition<_apipb_DeleteDefinedSetRequest, _apipb_DeleteDefinedSetRequest__Output>
    DeleteDynamicNeighborRequest: MessageTypeDefinition<_apipb_DeleteDynamicNeighborRequest, _apipb_DeleteDynamicNeighborRequest__Output>
    DeletePathRequest: MessageTypeDefinition<_apipb_DeletePathRequest, _apipb_DeletePathRequest__Output>
    DeletePeerGroupRequest: MessageTypeDefinition<_apipb_DeletePeerGroupRequest, _apipb_DeletePeerGroupRequest__Output>
    DeletePeerRequest: MessageTypeDefinition<_apipb_DeletePeerRequest, _apipb_DeletePeerRequest__Output>
    DeletePolicyAssignmentRequest: MessageTypeDefinition<_apipb_DeletePolicyAssignmentRequest, _apipb_DeletePolicyAssignmentRequest__Output>
    DeletePolicyRequest: MessageTypeDefinition<_apipb_DeletePolicyRequest, _apipb_DeletePolicyRequest__Output>
    DeleteRpkiRequest: MessageTypeDefinition<_apipb_DeleteRpkiRequest, _apipb_DeleteRpkiRequest__Output>
    DeleteStatementRequest: MessageTypeDefinition<_apipb_DeleteStatementRequest, _apipb_DeleteStatementRequest__Output>
    DeleteVrfRequest: MessageTypeDefinition<_apipb_DeleteVrfRequest, _apipb_DeleteVrfRequest__Output>
    Destination: MessageTypeDefinition<_apipb_Destination, _apipb_Destination__Output>
    DisableMrtRequest: MessageTypeDefinition<_apipb_DisableMrtRequest, _apipb_DisableMrtRequest__Output>
    DisablePeerRequest: MessageTypeDefinition<_apipb_DisablePeerRequest, _apipb_DisablePeerRequest__Output>
    DisableRpkiRequest: MessageTypeDefinition<_apipb_DisableRpkiRequest, _apipb_DisableRpkiRequest__Output>
    DynamicNeighbor: MessageTypeDefinition<_apipb_DynamicNeighbor, _apipb_DynamicNeighbor__Output>
    Ebgp: MessageTypeDefinition<_apipb_Ebgp, _apipb_Ebgp__Output>
    EbgpConfig: MessageTypeDefinition<_apipb_EbgpConfig, _apipb_EbgpConfig__Output>
    EbgpMultihop: MessageTypeDefinition<_apipb_EbgpMultihop, _apipb_EbgpMultihop__Output>
    EbgpState: MessageTypeDefinition<_apipb_EbgpState, _apipb_EbgpState__Output>
    EnableMrtRequest: MessageTypeDefinition<_apipb_EnableMrtRequest, _apipb_EnableMrtRequest__Output>
    EnablePeerRequest: MessageTypeDefinition<_apipb_EnablePeerRequest, _apipb_EnablePeerRequest__Output>
    EnableRpkiRequest: MessageTypeDefinition<_apipb_EnableRpkiRequest, _apipb_EnableRpkiRequest__Output>
    EnableZebraRequest: MessageTypeDefinition<_apipb_EnableZebraRequest, _apipb_EnableZebraRequest__Output>
    EnhancedRouteRefreshCapability: MessageTypeDefinition<_apipb_EnhancedRouteRefreshCapability, _apipb_EnhancedRouteRefreshCapability__Output>
    ExtendedNexthopCapability: MessageTypeDefinition<_apipb_ExtendedNexthopCapability, _apipb_ExtendedNexthopCapability__Output>
    ExtendedNexthopCapabilityTuple: MessageTypeDefinition<_apipb_ExtendedNexthopCapabilityTuple, _apipb_ExtendedNexthopCapabilityTuple__Output>
    Family: MessageTypeDefinition<_apipb_Family, _apipb_Family__Output>
    FourOctetASNCapability: MessageTypeDefinition<_apipb_FourOctetASNCapability, _apipb_FourOctetASNCapability__Output>
    FqdnCapability: MessageTypeDefinition<_apipb_FqdnCapability, _apipb_FqdnCapability__Output>
    GetBgpRequest: MessageTypeDefinition<_apipb_GetBgpRequest, _apipb_GetBgpRequest__Output>
    GetBgpResponse: MessageTypeDefinition<_apipb_GetBgpResponse, _apipb_GetBgpResponse__Output>
    GetTableRequest: MessageTypeDefinition<_apipb_GetTableRequest, _apipb_GetTableRequest__Output>
    GetTableResponse: MessageTypeDefinition<_apipb_GetTableResponse, _apipb_GetTableResponse__Output>
    Global: MessageTypeDefinition<_apipb_Global, _apipb_Global__Output>
    GobgpApi: SubtypeConstructor<typeof grpc.Client, _apipb_GobgpApiClient> & { service: _apipb_GobgpApiDefinition }
    GracefulRestart: MessageTypeDefinition<_apipb_GracefulRestart, _apipb_GracefulRestart__Output>
    GracefulRestartCapability: MessageTypeDefinition<_apipb_GracefulRestartCapability, _apipb_GracefulRestartCapability__Output>
    GracefulRestartCapabilityTuple: MessageTypeDefinition<_apipb_GracefulRestartCapabilityTuple, _apipb_GracefulRestartCapabilityTuple__Output>
    Ibgp: MessageTypeDefinition<_apipb_Ibgp, _apipb_Ibgp__Output>
    IbgpConfig: MessageTypeDefinition<_apipb_IbgpConfig, _apipb_IbgpConfig__Output>
    IbgpState: MessageTypeDefinition<_apipb_IbgpState, _apipb_IbgpState__Output>
    ListBmpRequest: MessageTypeDefinition<_apipb_ListBmpRequest, _apipb_ListBmpRequest__Output>
    ListBmpResponse: MessageTypeDefinition<_apipb_ListBmpResponse, _apipb_ListBmpResponse__Output>
    ListDefinedSetRequest: MessageTypeDefinition<_apipb_ListDefinedSetRequest, _apipb_ListDefinedSetRequest__Output>
    ListDefinedSetResponse: MessageTypeDefinition<_apipb_ListDefinedSetResponse, _apipb_ListDefinedSetResponse__Output>
    ListDynamicNeighborRequest: MessageTypeDefinition<_apipb_ListDynamicNeighborRequest, _apipb_ListDynamicNeighborRequest__Output>
    ListDynamicNeighborResponse: MessageTypeDefinition<_apipb_ListDynamicNeighborResponse, _apipb_ListDynamicNeighborResponse__Output>
    ListPathRequest: MessageTypeDefinition<_apipb_ListPathRequest, _apipb_ListPathRequest__Output>
    ListPathResponse: MessageTypeDefinition<_apipb_ListPathResponse, _apipb_ListPathResponse__Output>
    ListPeerGroupRequest: MessageTypeDefinition<_apipb_ListPeerGroupRequest, _apipb_ListPeerGroupRequest__Output>
    ListPeerGroupResponse: MessageTypeDefinition<_apipb_ListPeerGroupResponse, _apipb_ListPeerGroupResponse__Output>
    ListPeerRequest: MessageTypeDefinition<_apipb_ListPeerRequest, _apipb_ListPeerRequest__Output>
    ListPeerResponse: MessageTypeDefinition<_apipb_ListPeerResponse, _apipb_ListPeerResponse__Output>
    ListPolicyAssignmentRequest: MessageTypeDefinition<_apipb_ListPolicyAssignmentRequest, _apipb_ListPolicyAssignmentRequest__Output>
    ListPolicyAssignmentResponse: MessageTypeDefinition<_apipb_ListPolicyAssignmentResponse, _apipb_ListPolicyAssignmentResponse__Output>
    ListPolicyRequest: MessageTypeDefinition<_apipb_ListPolicyRequest, _apipb_ListPolicyRequest__Output>
    ListPolicyResponse: MessageTypeDefinition<_apipb_ListPolicyResponse, _apipb_ListPolicyResponse__Output>
    ListRpkiRequest: MessageTypeDefinition<_apipb_ListRpkiRequest, _apipb_ListRpkiRequest__Output>
    ListRpkiResponse: MessageTypeDefinition<_apipb_ListRpkiResponse, _apipb_ListRpkiResponse__Output>
    ListRpkiTableRequest: MessageTypeDefinition<_apipb_ListRpkiTableRequest, _apipb_ListRpkiTableRequest__Output>
    ListRpkiTableResponse: MessageTypeDefinition<_apipb_ListRpkiTableResponse, _apipb_ListRpkiTableResponse__Output>
    ListStatementRequest: MessageTypeDefinition<_apipb_ListStatementRequest, _apipb_ListStatementRequest__Output>
    ListStatementResponse: MessageTypeDefinition<_apipb_ListStatementResponse, _apipb_ListStatementResponse__Output>
    ListVrfRequest: MessageTypeDefinition<_apipb_ListVrfRequest, _apipb_ListVrfRequest__Output>
    ListVrfResponse: MessageTypeDefinition<_apipb_ListVrfResponse, _apipb_ListVrfResponse__Output>
    LocalPrefAction: MessageTypeDefinition<_apipb_LocalPrefAction, _apipb_LocalPrefAction__Output>
    LongLivedGracefulRestart: MessageTypeDefinition<_apipb_LongLivedGracefulRestart, _apipb_LongLivedGracefulRestart__Output>
    LongLivedGracefulRestartCapability: MessageTypeDefinition<_apipb_LongLivedGracefulRestartCapability, _apipb_LongLivedGracefulRestartCapability__Output>
    LongLivedGracefulRestartCapabilityTuple: MessageTypeDefinition<_apipb_LongLivedGracefulRestartCapabilityTuple, _apipb_LongLivedGracefulRestartCapabilityTuple__Output>
    LongLivedGracefulRestartConfig: MessageTypeDefinition<_apipb_LongLivedGracefulRestartConfig, _apipb_LongLivedGracefulRestartConfig__Output>
    LongLivedGracefulRestartState: MessageTypeDefinition<_apipb_LongLivedGracefulRestartState, _apipb_LongLivedGracefulRestartState__Output>
    MatchSet: MessageTypeDefinition<_apipb_MatchSet, _apipb_MatchSet__Output>
    MedAction: MessageTypeDefinition<_apipb_MedAction, _apipb_MedAction__Output>
    Message: MessageTypeDefinition<_apipb_Message, _apipb_Message__Output>
    Messages: MessageTypeDefinition<_apipb_Messages, _apipb_Messages__Output>
    MpGracefulRestart: MessageTypeDefinition<_apipb_MpGracefulRestart, _apipb_MpGracefulRestart__Output>
    MpGracefulRestartConfig: MessageTypeDefinition<_apipb_MpGracefulRestartConfig, _apipb_MpGracefulRestartConfig__Output>
    MpGracefulRestartState: MessageTypeDefinition<_apipb_MpGracefulRestartState, _apipb_MpGracefulRestartState__Output>
    MultiProtocolCapability: MessageTypeDefinition<_apipb_MultiProtocolCapability, _apipb_MultiProtocolCapability__Output>
    NexthopAction: MessageTypeDefinition<_apipb_NexthopAction, _apipb_NexthopAction__Output>
    Path: MessageTypeDefinition<_apipb_Path, _apipb_Path__Output>
    Peer: MessageTypeDefinition<_apipb_Peer, _apipb_Peer__Output>
    PeerConf: MessageTypeDefinition<_apipb_PeerConf, _apipb_PeerConf__Output>
    PeerGroup: MessageTypeDefinition<_apipb_PeerGroup, _apipb_PeerGroup__Output>
    PeerGroupConf: MessageTypeDefinition<_apipb_PeerGroupConf, _apipb_PeerGroupConf__Output>
    PeerGroupState: MessageTypeDefinition<_apipb_PeerGroupState, _apipb_PeerGroupState__Output>
    PeerState: MessageTypeDefinition<_apipb_PeerState, _apipb_PeerState__Output>
    PeerType: EnumTypeDefinition
    Policy: MessageTypeDefinition<_apipb_Policy, _apipb_Policy__Output>
    PolicyAssignment: MessageTypeDefinition<_apipb_PolicyAssignment, _apipb_PolicyAssignment__Output>
    PolicyDirection: EnumTypeDefinition
    Prefix: MessageTypeDefinition<_apipb_Prefix, _apipb_Prefix__Output>
    PrefixLimit: MessageTypeDefinition<_apipb_PrefixLimit, _apipb_PrefixLimit__Output>
    Queues: MessageTypeDefinition<_apipb_Queues, _apipb_Queues__Output>
    RPKIConf: MessageTypeDefinition<_apipb_RPKIConf, _apipb_RPKIConf__Output>
    RPKIState: MessageTypeDefinition<_apipb_RPKIState, _apipb_RPKIState__Output>
    RemovePrivate: EnumTypeDefinition
    ResetPeerRequest: MessageTypeDefinition<_apipb_ResetPeerRequest, _apipb_ResetPeerRequest__Output>
    ResetRpkiRequest: MessageTypeDefinition<_apipb_ResetRpkiRequest, _apipb_ResetRpkiRequest__Output>
    Roa: MessageTypeDefinition<_apipb_Roa, _apipb_Roa__Output>
    RouteAction: EnumTypeDefinition
    RouteReflector: MessageTypeDefinition<_apipb_RouteReflector, _apipb_RouteReflector__Output>
    RouteRefreshCapability: MessageTypeDefinition<_apipb_RouteRefreshCapability, _apipb_RouteRefreshCapability__Output>
    RouteRefreshCiscoCapability: MessageTypeDefinition<_apipb_RouteRefreshCiscoCapability, _apipb_RouteRefreshCiscoCapability__Output>
    RouteSelectionOptions: MessageTypeDefinition<_apipb_RouteSelectionOptions, _apipb_RouteSelectionOptions__Output>
    RouteSelectionOptionsConfig: MessageTypeDefinition<_apipb_RouteSelectionOptionsConfig, _apipb_RouteSelectionOptionsConfig__Output>
    RouteSelectionOptionsState: MessageTypeDefinition<_apipb_RouteSelectionOptionsState, _apipb_RouteSelectionOptionsState__Output>
    RouteServer: MessageTypeDefinition<_apipb_RouteServer, _apipb_RouteServer__Output>
    RouteTargetMembership: MessageTypeDefinition<_apipb_RouteTargetMembership, _apipb_RouteTargetMembership__Output>
    RouteTargetMembershipConfig: MessageTypeDefinition<_apipb_RouteTargetMembershipConfig, _apipb_RouteTargetMembershipConfig__Output>
    RouteTargetMembershipState: MessageTypeDefinition<_apipb_RouteTargetMembershipState, _apipb_RouteTargetMembershipState__Output>
    RoutingPolicy: MessageTypeDefinition<_apipb_RoutingPolicy, _apipb_RoutingPolicy__Output>
    Rpki: MessageTypeDefinition<_apipb_Rpki, _apipb_Rpki__Output>
    SetLogLevelRequest: MessageTypeDefinition<_apipb_SetLogLevelRequest, _apipb_SetLogLevelRequest__Output>
    SetPoliciesRequest: MessageTypeDefinition<_apipb_SetPoliciesRequest, _apipb_SetPoliciesRequest__Output>
    SetPolicyAssignmentRequest: MessageTypeDefinition<_apipb_SetPolicyAssignmentRequest, _apipb_SetPolicyAssignmentRequest__Output>
    ShutdownPeerRequest: MessageTypeDefinition<_apipb_ShutdownPeerRequest, _apipb_ShutdownPeerRequest__Output>
    StartBgpRequest: MessageTypeDefinition<_apipb_StartBgpRequest, _apipb_StartBgpRequest__Output>
    Statement: MessageTypeDefinition<_apipb_Statement, _apipb_Statement__Output>
    StopBgpRequest: MessageTypeDefinition<_apipb_StopBgpRequest, _apipb_StopBgpRequest__Output>
    TableLookupPrefix: MessageTypeDefinition<_apipb_TableLookupPrefix, _apipb_TableLookupPrefix__Output>
    TableType: EnumTypeDefinition
    Timers: MessageTypeDefinition<_apipb_Timers, _apipb_Timers__Output>
    TimersConfig: MessageTypeDefinition<_apipb_TimersConfig, _apipb_TimersConfig__Output>
    TimersState: MessageTypeDefinition<_apipb_TimersState, _apipb_TimersState__Output>
    Transport: MessageTypeDefinition<_apipb_Transport, _apipb_Transport__Output>
    TtlSecurity: MessageTypeDefinition<_apipb_TtlSecurity, _apipb_TtlSecurity__Output>
    UnknownCapability: MessageTypeDefinition<_apipb_UnknownCapability, _apipb_UnknownCapability__Output>
    UpdatePeerGroupRequest: MessageTypeDefinition<_apipb_UpdatePeerGroupRequest, _apipb_UpdatePeerGroupRequest__Output>
    UpdatePeerGroupResponse: MessageTypeDefinition<_apipb_UpdatePeerGroupResponse, _apipb_UpdatePeerGroupResponse__Output>
    UpdatePeerRequest: MessageTypeDefinition<_apipb_UpdatePeerRequest, _apipb_UpdatePeerRequest__Output>
    UpdatePeerResponse: MessageTypeDefinition<_apipb_UpdatePeerResponse, _apipb_UpdatePeerResponse__Output>
    UseMultiplePaths: MessageTypeDefinition<_apipb_UseMultiplePaths, _apipb_UseMultiplePaths__Output>
    UseMultiplePathsConfig: MessageTypeDefinition<_apipb_UseMultiplePathsConfig, _apipb_UseMultiplePathsConfig__Output>
    UseMultiplePathsState: MessageTypeDefinition<_apipb_UseMultiplePathsState, _apipb_UseMultiplePathsState__Output>
    Validation: MessageTypeDefinition<_apipb_Validation, _apipb_Validation__Output>
    Vrf: MessageTypeDefinition<_apipb_Vrf, _apipb_Vrf__Output>
    WatchEventRequest: MessageTypeDefinition<_apipb_WatchEventRequest, _apipb_WatchEventRequest__Output>
    WatchEventResponse: MessageTypeDefinition<_apipb_WatchEventResponse, _apipb_WatchEventResponse__Output>
  }
  google: {
    protobuf: {
      Any: MessageTypeDefinition<_google_protobuf_Any, _google_protobuf_Any__Output>
      Empty: MessageTypeDefinition<_google_protobuf_Empty, _google_protobuf_Empty__Output>
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
}

