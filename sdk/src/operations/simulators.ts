import { graphql } from '../../gql/gql.ts';

export const SimulatorFieldsFragment = graphql(`
  fragment SimulatorFields on Simulator {
    id
    sensorType
    running
    intervalSeconds
    devices
    published
    skipped
    inFlight
    lastError
    startedAt
  }
`);

export const SimulatorsDocument = graphql(`
  query Simulators {
    simulators { ...SimulatorFields }
  }
`);

export const StartSimulatorDocument = graphql(`
  mutation StartSimulator($id: ID!) {
    startSimulator(id: $id) { ...SimulatorFields }
  }
`);

export const StopSimulatorDocument = graphql(`
  mutation StopSimulator($id: ID!) {
    stopSimulator(id: $id) { ...SimulatorFields }
  }
`);

export const SetSimulatorIntervalDocument = graphql(`
  mutation SetSimulatorInterval($id: ID!, $seconds: Int!) {
    setSimulatorInterval(id: $id, seconds: $seconds) { ...SimulatorFields }
  }
`);
