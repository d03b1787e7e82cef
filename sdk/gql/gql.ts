/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment AlarmRuleFields on AlarmRule {\n    id\n    name\n    sensorType\n    deviceCode\n    deviceNumber\n    severity\n    condition { kind threshold forReadings forSeconds percent windowSeconds level quietSeconds }\n    createdBy\n    createdAt\n    updatedBy\n    updatedAt\n  }\n": typeof types.AlarmRuleFieldsFragmentDoc,
    "\n  fragment AlarmFields on Alarm {\n    id\n    ruleId\n    ruleName\n    severity\n    status\n    conditionKind\n    sensorType\n    deviceCode\n    deviceNumber\n    raisedAt\n    raisedSequence\n    value\n    detail\n    acknowledgedAt\n    acknowledgedBy\n    acknowledgeComment\n    clearedAt\n    clearedBy\n    clearDetail\n  }\n": typeof types.AlarmFieldsFragmentDoc,
    "\n  query AlarmRules {\n    alarmRules { ...AlarmRuleFields }\n  }\n": typeof types.AlarmRulesDocument,
    "\n  query Alarms($filter: AlarmFilter, $first: Int, $after: String) {\n    alarms(filter: $filter, first: $first, after: $after) {\n      totalCount\n      nodes { ...AlarmFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AlarmsDocument,
    "\n  query Alarm($id: ID!) {\n    alarm(id: $id) {\n      ...AlarmFields\n      history { position kind at actor detail }\n    }\n  }\n": typeof types.AlarmDocument,
    "\n  mutation CreateAlarmRule($rule: AlarmRuleInput!, $idempotencyKey: String) {\n    createAlarmRule(rule: $rule, idempotencyKey: $idempotencyKey) { ...AlarmRuleFields }\n  }\n": typeof types.CreateAlarmRuleDocument,
    "\n  mutation UpdateAlarmRule($id: ID!, $rule: AlarmRuleInput!) {\n    updateAlarmRule(id: $id, rule: $rule) { ...AlarmRuleFields }\n  }\n": typeof types.UpdateAlarmRuleDocument,
    "\n  mutation DeleteAlarmRule($id: ID!) {\n    deleteAlarmRule(id: $id)\n  }\n": typeof types.DeleteAlarmRuleDocument,
    "\n  mutation AcknowledgeAlarm($id: ID!, $comment: String) {\n    acknowledgeAlarm(id: $id, comment: $comment) { ...AlarmFields }\n  }\n": typeof types.AcknowledgeAlarmDocument,
    "\n  mutation ClearAlarm($id: ID!, $comment: String) {\n    clearAlarm(id: $id, comment: $comment) { ...AlarmFields }\n  }\n": typeof types.ClearAlarmDocument,
    "\n  subscription AlarmChanged($filter: AlarmChangeFilter, $afterPosition: String) {\n    alarmChanged(filter: $filter, afterPosition: $afterPosition) {\n      position\n      kind\n      at\n      actor\n      detail\n      alarm { ...AlarmFields }\n    }\n  }\n": typeof types.AlarmChangedDocument,
    "\n  fragment AuditEventFields on AuditEvent {\n    sequence\n    time\n    subject\n    type\n    actor\n    eventId\n    occurredAt\n    data\n    problem\n  }\n": typeof types.AuditEventFieldsFragmentDoc,
    "\n  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      nodes { ...AuditEventFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  mutation Register($username: String!, $password: String!, $role: Role) {\n    register(username: $username, password: $password, role: $role) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n": typeof types.RefreshTokenDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.LogoutDocument,
    "\n  query Me {\n    me { id username role createdAt }\n  }\n": typeof types.MeDocument,
    "\n  query Users {\n    users { id username role createdAt }\n  }\n": typeof types.UsersDocument,
    "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) { id username role }\n  }\n": typeof types.SetUserRoleDocument,
    "\n  mutation CreateApiKey($name: String!, $role: ApiKeyRole!) {\n    createApiKey(name: $name, role: $role) {\n      key\n      apiKey { id name role createdAt }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id revokedAt }\n  }\n": typeof types.RevokeApiKeyDocument,
    "\n  fragment DeviceFields on Device {\n    deviceCode\n    deviceNumber\n    status\n    sensorTypes\n    firstSeenAt\n    lastSeenAt\n    intervalSeconds\n    readingCount\n    lostMessages\n    target { name latitude longitude }\n  }\n": typeof types.DeviceFieldsFragmentDoc,
    "\n  query Devices($filter: DeviceFilter, $first: Int, $after: String) {\n    devices(filter: $filter, first: $first, after: $after) {\n      nodes { ...DeviceFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": typeof types.DevicesDocument,
    "\n  query Device($deviceCode: String!, $deviceNumber: Int!) {\n    device(deviceCode: $deviceCode, deviceNumber: $deviceNumber) {\n      ...DeviceFields\n      latestReadings { id sequence sensorType value timestamp }\n    }\n  }\n": typeof types.DeviceDocument,
    "\n  mutation AssignDeviceTarget($deviceCode: String!, $deviceNumber: Int!, $target: DeviceTargetInput!, $idempotencyKey: String) {\n    assignDeviceTarget(deviceCode: $deviceCode, deviceNumber: $deviceNumber, target: $target, idempotencyKey: $idempotencyKey) { applied sequence commandId }\n  }\n": typeof types.AssignDeviceTargetDocument,
    "\n  mutation SendDeviceCommand($deviceCode: String!, $deviceNumber: Int!, $command: DeviceCommand!, $intervalSeconds: Int, $idempotencyKey: String) {\n    sendDeviceCommand(deviceCode: $deviceCode, deviceNumber: $deviceNumber, command: $command, intervalSeconds: $intervalSeconds, idempotencyKey: $idempotencyKey) {\n      applied\n      sequence\n      commandId\n    }\n  }\n": typeof types.SendDeviceCommandDocument,
    "\n  mutation RecordReadings($readings: [ReadingInput!]!, $batchId: String) {\n    recordReadings(readings: $readings, batchId: $batchId) {\n      accepted\n      duplicates\n      firstSequence\n      lastSequence\n    }\n  }\n": typeof types.RecordReadingsDocument,
    "\n  subscription ReadingRecorded($filter: ReadingFilter, $afterSequence: String) {\n    readingRecorded(filter: $filter, afterSequence: $afterSequence) {\n      id\n      sequence\n      sensorType\n      value\n      deviceCode\n      deviceNumber\n      timestamp\n      seq\n      recordedAt\n    }\n  }\n": typeof types.ReadingRecordedDocument,
    "\n  subscription ReadingsChanged($filter: ReadingFilter) {\n    readingsChanged(filter: $filter) {\n      sequence\n      kind\n      commandId\n      actor\n      occurredAt\n      affected\n      filter { deviceCode deviceNumber sensorType from to }\n      changes { sensorType value timestamp }\n    }\n  }\n": typeof types.ReadingsChangedDocument,
    "\n  subscription DeviceStatusChanged($deviceCode: String, $deviceNumber: Int, $status: DeviceStatus) {\n    deviceStatusChanged(deviceCode: $deviceCode, deviceNumber: $deviceNumber, status: $status) {\n      status\n      previousStatus\n      at\n      device { deviceCode deviceNumber status sensorTypes lastSeenAt lostMessages readingCount intervalSeconds target { name latitude longitude } }\n    }\n  }\n": typeof types.DeviceStatusChangedDocument,
    "\n  fragment DeviceLogLineFields on DeviceLogLine {\n    sequence\n    deviceCode\n    deviceNumber\n    level\n    message\n    occurredAt\n    receivedAt\n    source\n    fields { name value }\n  }\n": typeof types.DeviceLogLineFieldsFragmentDoc,
    "\n  query DeviceLogs($device: DeviceRefInput!, $minLevel: LogLevel, $from: DateTime, $to: DateTime, $first: Int, $after: String, $last: Int, $before: String) {\n    deviceLogs(device: $device, minLevel: $minLevel, from: $from, to: $to, first: $first, after: $after, last: $last, before: $before) {\n      nodes { ...DeviceLogLineFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.DeviceLogsDocument,
    "\n  subscription DeviceLogged($filter: DeviceLogFilter, $afterSequence: String) {\n    deviceLogged(filter: $filter, afterSequence: $afterSequence) { ...DeviceLogLineFields }\n  }\n": typeof types.DeviceLoggedDocument,
    "\n  mutation SetDeviceLogLevel($deviceCode: String!, $deviceNumber: Int!, $level: LogLevel!, $idempotencyKey: String) {\n    setDeviceLogLevel(deviceCode: $deviceCode, deviceNumber: $deviceNumber, level: $level, idempotencyKey: $idempotencyKey) {\n      applied\n      sequence\n      commandId\n    }\n  }\n": typeof types.SetDeviceLogLevelDocument,
    "\n  fragment ReadingFields on Reading {\n    id\n    sequence\n    sensorType\n    value\n    deviceCode\n    deviceNumber\n    timestamp\n    seq\n    recordedAt\n    updatedAt\n    updatedBy\n    version\n    deletedAt\n    deletedBy\n  }\n": typeof types.ReadingFieldsFragmentDoc,
    "\n  query Readings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder, $withTotal: Boolean = false) {\n    readings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {\n      totalCount @include(if: $withTotal)\n      nodes { ...ReadingFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.ReadingsDocument,
    "\n  query DeletedReadings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder) {\n    deletedReadings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {\n      totalCount\n      nodes { ...ReadingFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": typeof types.DeletedReadingsDocument,
    "\n  query Reading($id: ID!) {\n    reading(id: $id) { ...ReadingFields }\n  }\n": typeof types.ReadingDocument,
    "\n  mutation UpdateReadings($filter: ReadingFilter!, $changes: ReadingChanges!, $idempotencyKey: String) {\n    updateReadings(filter: $filter, changes: $changes, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n": typeof types.UpdateReadingsDocument,
    "\n  mutation DeleteReadings($filter: ReadingFilter!, $idempotencyKey: String) {\n    deleteReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n": typeof types.DeleteReadingsDocument,
    "\n  mutation RestoreReadings($filter: ReadingFilter!, $idempotencyKey: String) {\n    restoreReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n": typeof types.RestoreReadingsDocument,
    "\n  query SystemStatus {\n    systemStatus { streamName streamHead projectorPosition projectorLastEventAt lag deadLetters }\n  }\n": typeof types.SystemStatusDocument,
    "\n  fragment SimulatorFields on Simulator {\n    id\n    sensorType\n    running\n    intervalSeconds\n    devices\n    published\n    skipped\n    inFlight\n    lastError\n    startedAt\n  }\n": typeof types.SimulatorFieldsFragmentDoc,
    "\n  query Simulators {\n    simulators { ...SimulatorFields }\n  }\n": typeof types.SimulatorsDocument,
    "\n  mutation StartSimulator($id: ID!) {\n    startSimulator(id: $id) { ...SimulatorFields }\n  }\n": typeof types.StartSimulatorDocument,
    "\n  mutation StopSimulator($id: ID!) {\n    stopSimulator(id: $id) { ...SimulatorFields }\n  }\n": typeof types.StopSimulatorDocument,
    "\n  mutation SetSimulatorInterval($id: ID!, $seconds: Int!) {\n    setSimulatorInterval(id: $id, seconds: $seconds) { ...SimulatorFields }\n  }\n": typeof types.SetSimulatorIntervalDocument,
    "\n  query ReadingStats($filter: ReadingFilter, $bucket: StatBucketSize!) {\n    readingStats(filter: $filter, bucket: $bucket) { start count min max avg }\n  }\n": typeof types.ReadingStatsDocument,
};
const documents: Documents = {
    "\n  fragment AlarmRuleFields on AlarmRule {\n    id\n    name\n    sensorType\n    deviceCode\n    deviceNumber\n    severity\n    condition { kind threshold forReadings forSeconds percent windowSeconds level quietSeconds }\n    createdBy\n    createdAt\n    updatedBy\n    updatedAt\n  }\n": types.AlarmRuleFieldsFragmentDoc,
    "\n  fragment AlarmFields on Alarm {\n    id\n    ruleId\n    ruleName\n    severity\n    status\n    conditionKind\n    sensorType\n    deviceCode\n    deviceNumber\n    raisedAt\n    raisedSequence\n    value\n    detail\n    acknowledgedAt\n    acknowledgedBy\n    acknowledgeComment\n    clearedAt\n    clearedBy\n    clearDetail\n  }\n": types.AlarmFieldsFragmentDoc,
    "\n  query AlarmRules {\n    alarmRules { ...AlarmRuleFields }\n  }\n": types.AlarmRulesDocument,
    "\n  query Alarms($filter: AlarmFilter, $first: Int, $after: String) {\n    alarms(filter: $filter, first: $first, after: $after) {\n      totalCount\n      nodes { ...AlarmFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AlarmsDocument,
    "\n  query Alarm($id: ID!) {\n    alarm(id: $id) {\n      ...AlarmFields\n      history { position kind at actor detail }\n    }\n  }\n": types.AlarmDocument,
    "\n  mutation CreateAlarmRule($rule: AlarmRuleInput!, $idempotencyKey: String) {\n    createAlarmRule(rule: $rule, idempotencyKey: $idempotencyKey) { ...AlarmRuleFields }\n  }\n": types.CreateAlarmRuleDocument,
    "\n  mutation UpdateAlarmRule($id: ID!, $rule: AlarmRuleInput!) {\n    updateAlarmRule(id: $id, rule: $rule) { ...AlarmRuleFields }\n  }\n": types.UpdateAlarmRuleDocument,
    "\n  mutation DeleteAlarmRule($id: ID!) {\n    deleteAlarmRule(id: $id)\n  }\n": types.DeleteAlarmRuleDocument,
    "\n  mutation AcknowledgeAlarm($id: ID!, $comment: String) {\n    acknowledgeAlarm(id: $id, comment: $comment) { ...AlarmFields }\n  }\n": types.AcknowledgeAlarmDocument,
    "\n  mutation ClearAlarm($id: ID!, $comment: String) {\n    clearAlarm(id: $id, comment: $comment) { ...AlarmFields }\n  }\n": types.ClearAlarmDocument,
    "\n  subscription AlarmChanged($filter: AlarmChangeFilter, $afterPosition: String) {\n    alarmChanged(filter: $filter, afterPosition: $afterPosition) {\n      position\n      kind\n      at\n      actor\n      detail\n      alarm { ...AlarmFields }\n    }\n  }\n": types.AlarmChangedDocument,
    "\n  fragment AuditEventFields on AuditEvent {\n    sequence\n    time\n    subject\n    type\n    actor\n    eventId\n    occurredAt\n    data\n    problem\n  }\n": types.AuditEventFieldsFragmentDoc,
    "\n  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      nodes { ...AuditEventFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  mutation Register($username: String!, $password: String!, $role: Role) {\n    register(username: $username, password: $password, role: $role) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n": types.LoginDocument,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n": types.RefreshTokenDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  query Me {\n    me { id username role createdAt }\n  }\n": types.MeDocument,
    "\n  query Users {\n    users { id username role createdAt }\n  }\n": types.UsersDocument,
    "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) { id username role }\n  }\n": types.SetUserRoleDocument,
    "\n  mutation CreateApiKey($name: String!, $role: ApiKeyRole!) {\n    createApiKey(name: $name, role: $role) {\n      key\n      apiKey { id name role createdAt }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id revokedAt }\n  }\n": types.RevokeApiKeyDocument,
    "\n  fragment DeviceFields on Device {\n    deviceCode\n    deviceNumber\n    status\n    sensorTypes\n    firstSeenAt\n    lastSeenAt\n    intervalSeconds\n    readingCount\n    lostMessages\n    target { name latitude longitude }\n  }\n": types.DeviceFieldsFragmentDoc,
    "\n  query Devices($filter: DeviceFilter, $first: Int, $after: String) {\n    devices(filter: $filter, first: $first, after: $after) {\n      nodes { ...DeviceFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n": types.DevicesDocument,
    "\n  query Device($deviceCode: String!, $deviceNumber: Int!) {\n    device(deviceCode: $deviceCode, deviceNumber: $deviceNumber) {\n      ...DeviceFields\n      latestReadings { id sequence sensorType value timestamp }\n    }\n  }\n": types.DeviceDocument,
    "\n  mutation AssignDeviceTarget($deviceCode: String!, $deviceNumber: Int!, $target: DeviceTargetInput!, $idempotencyKey: String) {\n    assignDeviceTarget(deviceCode: $deviceCode, deviceNumber: $deviceNumber, target: $target, idempotencyKey: $idempotencyKey) { applied sequence commandId }\n  }\n": types.AssignDeviceTargetDocument,
    "\n  mutation SendDeviceCommand($deviceCode: String!, $deviceNumber: Int!, $command: DeviceCommand!, $intervalSeconds: Int, $idempotencyKey: String) {\n    sendDeviceCommand(deviceCode: $deviceCode, deviceNumber: $deviceNumber, command: $command, intervalSeconds: $intervalSeconds, idempotencyKey: $idempotencyKey) {\n      applied\n      sequence\n      commandId\n    }\n  }\n": types.SendDeviceCommandDocument,
    "\n  mutation RecordReadings($readings: [ReadingInput!]!, $batchId: String) {\n    recordReadings(readings: $readings, batchId: $batchId) {\n      accepted\n      duplicates\n      firstSequence\n      lastSequence\n    }\n  }\n": types.RecordReadingsDocument,
    "\n  subscription ReadingRecorded($filter: ReadingFilter, $afterSequence: String) {\n    readingRecorded(filter: $filter, afterSequence: $afterSequence) {\n      id\n      sequence\n      sensorType\n      value\n      deviceCode\n      deviceNumber\n      timestamp\n      seq\n      recordedAt\n    }\n  }\n": types.ReadingRecordedDocument,
    "\n  subscription ReadingsChanged($filter: ReadingFilter) {\n    readingsChanged(filter: $filter) {\n      sequence\n      kind\n      commandId\n      actor\n      occurredAt\n      affected\n      filter { deviceCode deviceNumber sensorType from to }\n      changes { sensorType value timestamp }\n    }\n  }\n": types.ReadingsChangedDocument,
    "\n  subscription DeviceStatusChanged($deviceCode: String, $deviceNumber: Int, $status: DeviceStatus) {\n    deviceStatusChanged(deviceCode: $deviceCode, deviceNumber: $deviceNumber, status: $status) {\n      status\n      previousStatus\n      at\n      device { deviceCode deviceNumber status sensorTypes lastSeenAt lostMessages readingCount intervalSeconds target { name latitude longitude } }\n    }\n  }\n": types.DeviceStatusChangedDocument,
    "\n  fragment DeviceLogLineFields on DeviceLogLine {\n    sequence\n    deviceCode\n    deviceNumber\n    level\n    message\n    occurredAt\n    receivedAt\n    source\n    fields { name value }\n  }\n": types.DeviceLogLineFieldsFragmentDoc,
    "\n  query DeviceLogs($device: DeviceRefInput!, $minLevel: LogLevel, $from: DateTime, $to: DateTime, $first: Int, $after: String, $last: Int, $before: String) {\n    deviceLogs(device: $device, minLevel: $minLevel, from: $from, to: $to, first: $first, after: $after, last: $last, before: $before) {\n      nodes { ...DeviceLogLineFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.DeviceLogsDocument,
    "\n  subscription DeviceLogged($filter: DeviceLogFilter, $afterSequence: String) {\n    deviceLogged(filter: $filter, afterSequence: $afterSequence) { ...DeviceLogLineFields }\n  }\n": types.DeviceLoggedDocument,
    "\n  mutation SetDeviceLogLevel($deviceCode: String!, $deviceNumber: Int!, $level: LogLevel!, $idempotencyKey: String) {\n    setDeviceLogLevel(deviceCode: $deviceCode, deviceNumber: $deviceNumber, level: $level, idempotencyKey: $idempotencyKey) {\n      applied\n      sequence\n      commandId\n    }\n  }\n": types.SetDeviceLogLevelDocument,
    "\n  fragment ReadingFields on Reading {\n    id\n    sequence\n    sensorType\n    value\n    deviceCode\n    deviceNumber\n    timestamp\n    seq\n    recordedAt\n    updatedAt\n    updatedBy\n    version\n    deletedAt\n    deletedBy\n  }\n": types.ReadingFieldsFragmentDoc,
    "\n  query Readings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder, $withTotal: Boolean = false) {\n    readings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {\n      totalCount @include(if: $withTotal)\n      nodes { ...ReadingFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.ReadingsDocument,
    "\n  query DeletedReadings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder) {\n    deletedReadings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {\n      totalCount\n      nodes { ...ReadingFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n": types.DeletedReadingsDocument,
    "\n  query Reading($id: ID!) {\n    reading(id: $id) { ...ReadingFields }\n  }\n": types.ReadingDocument,
    "\n  mutation UpdateReadings($filter: ReadingFilter!, $changes: ReadingChanges!, $idempotencyKey: String) {\n    updateReadings(filter: $filter, changes: $changes, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n": types.UpdateReadingsDocument,
    "\n  mutation DeleteReadings($filter: ReadingFilter!, $idempotencyKey: String) {\n    deleteReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n": types.DeleteReadingsDocument,
    "\n  mutation RestoreReadings($filter: ReadingFilter!, $idempotencyKey: String) {\n    restoreReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n": types.RestoreReadingsDocument,
    "\n  query SystemStatus {\n    systemStatus { streamName streamHead projectorPosition projectorLastEventAt lag deadLetters }\n  }\n": types.SystemStatusDocument,
    "\n  fragment SimulatorFields on Simulator {\n    id\n    sensorType\n    running\n    intervalSeconds\n    devices\n    published\n    skipped\n    inFlight\n    lastError\n    startedAt\n  }\n": types.SimulatorFieldsFragmentDoc,
    "\n  query Simulators {\n    simulators { ...SimulatorFields }\n  }\n": types.SimulatorsDocument,
    "\n  mutation StartSimulator($id: ID!) {\n    startSimulator(id: $id) { ...SimulatorFields }\n  }\n": types.StartSimulatorDocument,
    "\n  mutation StopSimulator($id: ID!) {\n    stopSimulator(id: $id) { ...SimulatorFields }\n  }\n": types.StopSimulatorDocument,
    "\n  mutation SetSimulatorInterval($id: ID!, $seconds: Int!) {\n    setSimulatorInterval(id: $id, seconds: $seconds) { ...SimulatorFields }\n  }\n": types.SetSimulatorIntervalDocument,
    "\n  query ReadingStats($filter: ReadingFilter, $bucket: StatBucketSize!) {\n    readingStats(filter: $filter, bucket: $bucket) { start count min max avg }\n  }\n": types.ReadingStatsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AlarmRuleFields on AlarmRule {\n    id\n    name\n    sensorType\n    deviceCode\n    deviceNumber\n    severity\n    condition { kind threshold forReadings forSeconds percent windowSeconds level quietSeconds }\n    createdBy\n    createdAt\n    updatedBy\n    updatedAt\n  }\n"): (typeof documents)["\n  fragment AlarmRuleFields on AlarmRule {\n    id\n    name\n    sensorType\n    deviceCode\n    deviceNumber\n    severity\n    condition { kind threshold forReadings forSeconds percent windowSeconds level quietSeconds }\n    createdBy\n    createdAt\n    updatedBy\n    updatedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AlarmFields on Alarm {\n    id\n    ruleId\n    ruleName\n    severity\n    status\n    conditionKind\n    sensorType\n    deviceCode\n    deviceNumber\n    raisedAt\n    raisedSequence\n    value\n    detail\n    acknowledgedAt\n    acknowledgedBy\n    acknowledgeComment\n    clearedAt\n    clearedBy\n    clearDetail\n  }\n"): (typeof documents)["\n  fragment AlarmFields on Alarm {\n    id\n    ruleId\n    ruleName\n    severity\n    status\n    conditionKind\n    sensorType\n    deviceCode\n    deviceNumber\n    raisedAt\n    raisedSequence\n    value\n    detail\n    acknowledgedAt\n    acknowledgedBy\n    acknowledgeComment\n    clearedAt\n    clearedBy\n    clearDetail\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AlarmRules {\n    alarmRules { ...AlarmRuleFields }\n  }\n"): (typeof documents)["\n  query AlarmRules {\n    alarmRules { ...AlarmRuleFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Alarms($filter: AlarmFilter, $first: Int, $after: String) {\n    alarms(filter: $filter, first: $first, after: $after) {\n      totalCount\n      nodes { ...AlarmFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Alarms($filter: AlarmFilter, $first: Int, $after: String) {\n    alarms(filter: $filter, first: $first, after: $after) {\n      totalCount\n      nodes { ...AlarmFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Alarm($id: ID!) {\n    alarm(id: $id) {\n      ...AlarmFields\n      history { position kind at actor detail }\n    }\n  }\n"): (typeof documents)["\n  query Alarm($id: ID!) {\n    alarm(id: $id) {\n      ...AlarmFields\n      history { position kind at actor detail }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAlarmRule($rule: AlarmRuleInput!, $idempotencyKey: String) {\n    createAlarmRule(rule: $rule, idempotencyKey: $idempotencyKey) { ...AlarmRuleFields }\n  }\n"): (typeof documents)["\n  mutation CreateAlarmRule($rule: AlarmRuleInput!, $idempotencyKey: String) {\n    createAlarmRule(rule: $rule, idempotencyKey: $idempotencyKey) { ...AlarmRuleFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAlarmRule($id: ID!, $rule: AlarmRuleInput!) {\n    updateAlarmRule(id: $id, rule: $rule) { ...AlarmRuleFields }\n  }\n"): (typeof documents)["\n  mutation UpdateAlarmRule($id: ID!, $rule: AlarmRuleInput!) {\n    updateAlarmRule(id: $id, rule: $rule) { ...AlarmRuleFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteAlarmRule($id: ID!) {\n    deleteAlarmRule(id: $id)\n  }\n"): (typeof documents)["\n  mutation DeleteAlarmRule($id: ID!) {\n    deleteAlarmRule(id: $id)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcknowledgeAlarm($id: ID!, $comment: String) {\n    acknowledgeAlarm(id: $id, comment: $comment) { ...AlarmFields }\n  }\n"): (typeof documents)["\n  mutation AcknowledgeAlarm($id: ID!, $comment: String) {\n    acknowledgeAlarm(id: $id, comment: $comment) { ...AlarmFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClearAlarm($id: ID!, $comment: String) {\n    clearAlarm(id: $id, comment: $comment) { ...AlarmFields }\n  }\n"): (typeof documents)["\n  mutation ClearAlarm($id: ID!, $comment: String) {\n    clearAlarm(id: $id, comment: $comment) { ...AlarmFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AlarmChanged($filter: AlarmChangeFilter, $afterPosition: String) {\n    alarmChanged(filter: $filter, afterPosition: $afterPosition) {\n      position\n      kind\n      at\n      actor\n      detail\n      alarm { ...AlarmFields }\n    }\n  }\n"): (typeof documents)["\n  subscription AlarmChanged($filter: AlarmChangeFilter, $afterPosition: String) {\n    alarmChanged(filter: $filter, afterPosition: $afterPosition) {\n      position\n      kind\n      at\n      actor\n      detail\n      alarm { ...AlarmFields }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuditEventFields on AuditEvent {\n    sequence\n    time\n    subject\n    type\n    actor\n    eventId\n    occurredAt\n    data\n    problem\n  }\n"): (typeof documents)["\n  fragment AuditEventFields on AuditEvent {\n    sequence\n    time\n    subject\n    type\n    actor\n    eventId\n    occurredAt\n    data\n    problem\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      nodes { ...AuditEventFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query AuditEvents($filter: AuditEventFilter, $first: Int, $after: String) {\n    auditEvents(filter: $filter, first: $first, after: $after) {\n      nodes { ...AuditEventFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($username: String!, $password: String!, $role: Role) {\n    register(username: $username, password: $password, role: $role) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n"): (typeof documents)["\n  mutation Register($username: String!, $password: String!, $role: Role) {\n    register(username: $username, password: $password, role: $role) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      accessToken\n      refreshToken\n      expiresAt\n      user { id username role createdAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me { id username role createdAt }\n  }\n"): (typeof documents)["\n  query Me {\n    me { id username role createdAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users {\n    users { id username role createdAt }\n  }\n"): (typeof documents)["\n  query Users {\n    users { id username role createdAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) { id username role }\n  }\n"): (typeof documents)["\n  mutation SetUserRole($userId: ID!, $role: Role!) {\n    setUserRole(userId: $userId, role: $role) { id username role }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($name: String!, $role: ApiKeyRole!) {\n    createApiKey(name: $name, role: $role) {\n      key\n      apiKey { id name role createdAt }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($name: String!, $role: ApiKeyRole!) {\n    createApiKey(name: $name, role: $role) {\n      key\n      apiKey { id name role createdAt }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id revokedAt }\n  }\n"): (typeof documents)["\n  mutation RevokeApiKey($id: ID!) {\n    revokeApiKey(id: $id) { id revokedAt }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DeviceFields on Device {\n    deviceCode\n    deviceNumber\n    status\n    sensorTypes\n    firstSeenAt\n    lastSeenAt\n    intervalSeconds\n    readingCount\n    lostMessages\n    target { name latitude longitude }\n  }\n"): (typeof documents)["\n  fragment DeviceFields on Device {\n    deviceCode\n    deviceNumber\n    status\n    sensorTypes\n    firstSeenAt\n    lastSeenAt\n    intervalSeconds\n    readingCount\n    lostMessages\n    target { name latitude longitude }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Devices($filter: DeviceFilter, $first: Int, $after: String) {\n    devices(filter: $filter, first: $first, after: $after) {\n      nodes { ...DeviceFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Devices($filter: DeviceFilter, $first: Int, $after: String) {\n    devices(filter: $filter, first: $first, after: $after) {\n      nodes { ...DeviceFields }\n      pageInfo { hasNextPage endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Device($deviceCode: String!, $deviceNumber: Int!) {\n    device(deviceCode: $deviceCode, deviceNumber: $deviceNumber) {\n      ...DeviceFields\n      latestReadings { id sequence sensorType value timestamp }\n    }\n  }\n"): (typeof documents)["\n  query Device($deviceCode: String!, $deviceNumber: Int!) {\n    device(deviceCode: $deviceCode, deviceNumber: $deviceNumber) {\n      ...DeviceFields\n      latestReadings { id sequence sensorType value timestamp }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AssignDeviceTarget($deviceCode: String!, $deviceNumber: Int!, $target: DeviceTargetInput!, $idempotencyKey: String) {\n    assignDeviceTarget(deviceCode: $deviceCode, deviceNumber: $deviceNumber, target: $target, idempotencyKey: $idempotencyKey) { applied sequence commandId }\n  }\n"): (typeof documents)["\n  mutation AssignDeviceTarget($deviceCode: String!, $deviceNumber: Int!, $target: DeviceTargetInput!, $idempotencyKey: String) {\n    assignDeviceTarget(deviceCode: $deviceCode, deviceNumber: $deviceNumber, target: $target, idempotencyKey: $idempotencyKey) { applied sequence commandId }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendDeviceCommand($deviceCode: String!, $deviceNumber: Int!, $command: DeviceCommand!, $intervalSeconds: Int, $idempotencyKey: String) {\n    sendDeviceCommand(deviceCode: $deviceCode, deviceNumber: $deviceNumber, command: $command, intervalSeconds: $intervalSeconds, idempotencyKey: $idempotencyKey) {\n      applied\n      sequence\n      commandId\n    }\n  }\n"): (typeof documents)["\n  mutation SendDeviceCommand($deviceCode: String!, $deviceNumber: Int!, $command: DeviceCommand!, $intervalSeconds: Int, $idempotencyKey: String) {\n    sendDeviceCommand(deviceCode: $deviceCode, deviceNumber: $deviceNumber, command: $command, intervalSeconds: $intervalSeconds, idempotencyKey: $idempotencyKey) {\n      applied\n      sequence\n      commandId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RecordReadings($readings: [ReadingInput!]!, $batchId: String) {\n    recordReadings(readings: $readings, batchId: $batchId) {\n      accepted\n      duplicates\n      firstSequence\n      lastSequence\n    }\n  }\n"): (typeof documents)["\n  mutation RecordReadings($readings: [ReadingInput!]!, $batchId: String) {\n    recordReadings(readings: $readings, batchId: $batchId) {\n      accepted\n      duplicates\n      firstSequence\n      lastSequence\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ReadingRecorded($filter: ReadingFilter, $afterSequence: String) {\n    readingRecorded(filter: $filter, afterSequence: $afterSequence) {\n      id\n      sequence\n      sensorType\n      value\n      deviceCode\n      deviceNumber\n      timestamp\n      seq\n      recordedAt\n    }\n  }\n"): (typeof documents)["\n  subscription ReadingRecorded($filter: ReadingFilter, $afterSequence: String) {\n    readingRecorded(filter: $filter, afterSequence: $afterSequence) {\n      id\n      sequence\n      sensorType\n      value\n      deviceCode\n      deviceNumber\n      timestamp\n      seq\n      recordedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ReadingsChanged($filter: ReadingFilter) {\n    readingsChanged(filter: $filter) {\n      sequence\n      kind\n      commandId\n      actor\n      occurredAt\n      affected\n      filter { deviceCode deviceNumber sensorType from to }\n      changes { sensorType value timestamp }\n    }\n  }\n"): (typeof documents)["\n  subscription ReadingsChanged($filter: ReadingFilter) {\n    readingsChanged(filter: $filter) {\n      sequence\n      kind\n      commandId\n      actor\n      occurredAt\n      affected\n      filter { deviceCode deviceNumber sensorType from to }\n      changes { sensorType value timestamp }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DeviceStatusChanged($deviceCode: String, $deviceNumber: Int, $status: DeviceStatus) {\n    deviceStatusChanged(deviceCode: $deviceCode, deviceNumber: $deviceNumber, status: $status) {\n      status\n      previousStatus\n      at\n      device { deviceCode deviceNumber status sensorTypes lastSeenAt lostMessages readingCount intervalSeconds target { name latitude longitude } }\n    }\n  }\n"): (typeof documents)["\n  subscription DeviceStatusChanged($deviceCode: String, $deviceNumber: Int, $status: DeviceStatus) {\n    deviceStatusChanged(deviceCode: $deviceCode, deviceNumber: $deviceNumber, status: $status) {\n      status\n      previousStatus\n      at\n      device { deviceCode deviceNumber status sensorTypes lastSeenAt lostMessages readingCount intervalSeconds target { name latitude longitude } }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DeviceLogLineFields on DeviceLogLine {\n    sequence\n    deviceCode\n    deviceNumber\n    level\n    message\n    occurredAt\n    receivedAt\n    source\n    fields { name value }\n  }\n"): (typeof documents)["\n  fragment DeviceLogLineFields on DeviceLogLine {\n    sequence\n    deviceCode\n    deviceNumber\n    level\n    message\n    occurredAt\n    receivedAt\n    source\n    fields { name value }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeviceLogs($device: DeviceRefInput!, $minLevel: LogLevel, $from: DateTime, $to: DateTime, $first: Int, $after: String, $last: Int, $before: String) {\n    deviceLogs(device: $device, minLevel: $minLevel, from: $from, to: $to, first: $first, after: $after, last: $last, before: $before) {\n      nodes { ...DeviceLogLineFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query DeviceLogs($device: DeviceRefInput!, $minLevel: LogLevel, $from: DateTime, $to: DateTime, $first: Int, $after: String, $last: Int, $before: String) {\n    deviceLogs(device: $device, minLevel: $minLevel, from: $from, to: $to, first: $first, after: $after, last: $last, before: $before) {\n      nodes { ...DeviceLogLineFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription DeviceLogged($filter: DeviceLogFilter, $afterSequence: String) {\n    deviceLogged(filter: $filter, afterSequence: $afterSequence) { ...DeviceLogLineFields }\n  }\n"): (typeof documents)["\n  subscription DeviceLogged($filter: DeviceLogFilter, $afterSequence: String) {\n    deviceLogged(filter: $filter, afterSequence: $afterSequence) { ...DeviceLogLineFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDeviceLogLevel($deviceCode: String!, $deviceNumber: Int!, $level: LogLevel!, $idempotencyKey: String) {\n    setDeviceLogLevel(deviceCode: $deviceCode, deviceNumber: $deviceNumber, level: $level, idempotencyKey: $idempotencyKey) {\n      applied\n      sequence\n      commandId\n    }\n  }\n"): (typeof documents)["\n  mutation SetDeviceLogLevel($deviceCode: String!, $deviceNumber: Int!, $level: LogLevel!, $idempotencyKey: String) {\n    setDeviceLogLevel(deviceCode: $deviceCode, deviceNumber: $deviceNumber, level: $level, idempotencyKey: $idempotencyKey) {\n      applied\n      sequence\n      commandId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ReadingFields on Reading {\n    id\n    sequence\n    sensorType\n    value\n    deviceCode\n    deviceNumber\n    timestamp\n    seq\n    recordedAt\n    updatedAt\n    updatedBy\n    version\n    deletedAt\n    deletedBy\n  }\n"): (typeof documents)["\n  fragment ReadingFields on Reading {\n    id\n    sequence\n    sensorType\n    value\n    deviceCode\n    deviceNumber\n    timestamp\n    seq\n    recordedAt\n    updatedAt\n    updatedBy\n    version\n    deletedAt\n    deletedBy\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Readings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder, $withTotal: Boolean = false) {\n    readings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {\n      totalCount @include(if: $withTotal)\n      nodes { ...ReadingFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query Readings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder, $withTotal: Boolean = false) {\n    readings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {\n      totalCount @include(if: $withTotal)\n      nodes { ...ReadingFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query DeletedReadings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder) {\n    deletedReadings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {\n      totalCount\n      nodes { ...ReadingFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"): (typeof documents)["\n  query DeletedReadings($filter: ReadingFilter, $first: Int, $after: String, $page: Int, $limit: Int, $order: ReadingOrder) {\n    deletedReadings(filter: $filter, first: $first, after: $after, page: $page, limit: $limit, order: $order) {\n      totalCount\n      nodes { ...ReadingFields }\n      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Reading($id: ID!) {\n    reading(id: $id) { ...ReadingFields }\n  }\n"): (typeof documents)["\n  query Reading($id: ID!) {\n    reading(id: $id) { ...ReadingFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateReadings($filter: ReadingFilter!, $changes: ReadingChanges!, $idempotencyKey: String) {\n    updateReadings(filter: $filter, changes: $changes, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n"): (typeof documents)["\n  mutation UpdateReadings($filter: ReadingFilter!, $changes: ReadingChanges!, $idempotencyKey: String) {\n    updateReadings(filter: $filter, changes: $changes, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteReadings($filter: ReadingFilter!, $idempotencyKey: String) {\n    deleteReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n"): (typeof documents)["\n  mutation DeleteReadings($filter: ReadingFilter!, $idempotencyKey: String) {\n    deleteReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RestoreReadings($filter: ReadingFilter!, $idempotencyKey: String) {\n    restoreReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n"): (typeof documents)["\n  mutation RestoreReadings($filter: ReadingFilter!, $idempotencyKey: String) {\n    restoreReadings(filter: $filter, idempotencyKey: $idempotencyKey) { affected sequence commandId }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SystemStatus {\n    systemStatus { streamName streamHead projectorPosition projectorLastEventAt lag deadLetters }\n  }\n"): (typeof documents)["\n  query SystemStatus {\n    systemStatus { streamName streamHead projectorPosition projectorLastEventAt lag deadLetters }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SimulatorFields on Simulator {\n    id\n    sensorType\n    running\n    intervalSeconds\n    devices\n    published\n    skipped\n    inFlight\n    lastError\n    startedAt\n  }\n"): (typeof documents)["\n  fragment SimulatorFields on Simulator {\n    id\n    sensorType\n    running\n    intervalSeconds\n    devices\n    published\n    skipped\n    inFlight\n    lastError\n    startedAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Simulators {\n    simulators { ...SimulatorFields }\n  }\n"): (typeof documents)["\n  query Simulators {\n    simulators { ...SimulatorFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartSimulator($id: ID!) {\n    startSimulator(id: $id) { ...SimulatorFields }\n  }\n"): (typeof documents)["\n  mutation StartSimulator($id: ID!) {\n    startSimulator(id: $id) { ...SimulatorFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StopSimulator($id: ID!) {\n    stopSimulator(id: $id) { ...SimulatorFields }\n  }\n"): (typeof documents)["\n  mutation StopSimulator($id: ID!) {\n    stopSimulator(id: $id) { ...SimulatorFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetSimulatorInterval($id: ID!, $seconds: Int!) {\n    setSimulatorInterval(id: $id, seconds: $seconds) { ...SimulatorFields }\n  }\n"): (typeof documents)["\n  mutation SetSimulatorInterval($id: ID!, $seconds: Int!) {\n    setSimulatorInterval(id: $id, seconds: $seconds) { ...SimulatorFields }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReadingStats($filter: ReadingFilter, $bucket: StatBucketSize!) {\n    readingStats(filter: $filter, bucket: $bucket) { start count min max avg }\n  }\n"): (typeof documents)["\n  query ReadingStats($filter: ReadingFilter, $bucket: StatBucketSize!) {\n    readingStats(filter: $filter, bucket: $bucket) { start count min max avg }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;