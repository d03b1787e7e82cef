import { graphql } from '../../gql/gql.ts';

export const AlarmRuleFieldsFragment = graphql(`
  fragment AlarmRuleFields on AlarmRule {
    id
    name
    sensorType
    deviceCode
    deviceNumber
    severity
    condition { kind threshold forReadings forSeconds percent windowSeconds level quietSeconds }
    createdBy
    createdAt
    updatedBy
    updatedAt
  }
`);

export const AlarmFieldsFragment = graphql(`
  fragment AlarmFields on Alarm {
    id
    ruleId
    ruleName
    severity
    status
    conditionKind
    sensorType
    deviceCode
    deviceNumber
    raisedAt
    raisedSequence
    value
    detail
    acknowledgedAt
    acknowledgedBy
    acknowledgeComment
    clearedAt
    clearedBy
    clearDetail
  }
`);

export const AlarmRulesDocument = graphql(`
  query AlarmRules {
    alarmRules { ...AlarmRuleFields }
  }
`);

export const AlarmsDocument = graphql(`
  query Alarms($filter: AlarmFilter, $first: Int, $after: String) {
    alarms(filter: $filter, first: $first, after: $after) {
      totalCount
      nodes { ...AlarmFields }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const AlarmDocument = graphql(`
  query Alarm($id: ID!) {
    alarm(id: $id) {
      ...AlarmFields
      history { position kind at actor detail }
    }
  }
`);

export const CreateAlarmRuleDocument = graphql(`
  mutation CreateAlarmRule($rule: AlarmRuleInput!, $idempotencyKey: String) {
    createAlarmRule(rule: $rule, idempotencyKey: $idempotencyKey) { ...AlarmRuleFields }
  }
`);

export const UpdateAlarmRuleDocument = graphql(`
  mutation UpdateAlarmRule($id: ID!, $rule: AlarmRuleInput!) {
    updateAlarmRule(id: $id, rule: $rule) { ...AlarmRuleFields }
  }
`);

export const DeleteAlarmRuleDocument = graphql(`
  mutation DeleteAlarmRule($id: ID!) {
    deleteAlarmRule(id: $id)
  }
`);

export const AcknowledgeAlarmDocument = graphql(`
  mutation AcknowledgeAlarm($id: ID!, $comment: String) {
    acknowledgeAlarm(id: $id, comment: $comment) { ...AlarmFields }
  }
`);

export const ClearAlarmDocument = graphql(`
  mutation ClearAlarm($id: ID!, $comment: String) {
    clearAlarm(id: $id, comment: $comment) { ...AlarmFields }
  }
`);

export const AlarmChangedDocument = graphql(`
  subscription AlarmChanged($filter: AlarmChangeFilter, $afterPosition: String) {
    alarmChanged(filter: $filter, afterPosition: $afterPosition) {
      position
      kind
      at
      actor
      detail
      alarm { ...AlarmFields }
    }
  }
`);
