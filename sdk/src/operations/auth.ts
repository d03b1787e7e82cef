import { graphql } from '../../gql/gql.ts';

export const RegisterDocument = graphql(`
  mutation Register($username: String!, $password: String!, $role: Role) {
    register(username: $username, password: $password, role: $role) {
      accessToken
      refreshToken
      expiresAt
      user { id username role createdAt }
    }
  }
`);

export const LoginDocument = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      accessToken
      refreshToken
      expiresAt
      user { id username role createdAt }
    }
  }
`);

export const RefreshTokenDocument = graphql(`
  mutation RefreshToken($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      accessToken
      refreshToken
      expiresAt
      user { id username role createdAt }
    }
  }
`);

export const LogoutDocument = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

export const MeDocument = graphql(`
  query Me {
    me { id username role createdAt }
  }
`);

export const UsersDocument = graphql(`
  query Users {
    users { id username role createdAt }
  }
`);

export const SetUserRoleDocument = graphql(`
  mutation SetUserRole($userId: ID!, $role: Role!) {
    setUserRole(userId: $userId, role: $role) { id username role }
  }
`);

export const CreateApiKeyDocument = graphql(`
  mutation CreateApiKey($name: String!, $role: ApiKeyRole!) {
    createApiKey(name: $name, role: $role) {
      key
      apiKey { id name role createdAt }
    }
  }
`);

export const RevokeApiKeyDocument = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) { id revokedAt }
  }
`);
