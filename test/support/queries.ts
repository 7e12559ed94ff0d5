/** GraphQL documents the tests send, as an admin frontend would. */
export const PATTERN_FIELDS = `id name type ispId pattern message priority enabled origin version deleted createdAt updatedAt
  createdBy { id name kind } updatedBy { id name kind }`;

export const CREATE_PATTERN = `mutation Create($input: CreateBouncePatternInput!, $reason: String, $clientMutationId: ID) {
  createBouncePattern(input: $input, reason: $reason, clientMutationId: $clientMutationId) { pattern { ${PATTERN_FIELDS} } warnings }
}`;

export const EDIT_PATTERN = `mutation Edit($id: ID!, $expectedVersion: Int!, $input: EditBouncePatternInput!, $reason: String) {
  editBouncePattern(id: $id, expectedVersion: $expectedVersion, input: $input, reason: $reason) { pattern { ${PATTERN_FIELDS} } warnings }
}`;

export const DELETE_PATTERN = `mutation Delete($id: ID!, $expectedVersion: Int!, $reason: String) {
  deleteBouncePattern(id: $id, expectedVersion: $expectedVersion, reason: $reason) { pattern { id version deleted } }
}`;

export const LIST_PATTERNS = `query List($filter: BouncePatternFilter, $orderBy: BouncePatternOrder, $first: Int, $after: String) {
  bouncePatterns(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { ${PATTERN_FIELDS} } }
  }
}`;

export const GET_PATTERN = `query Get($id: ID!) { bouncePattern(id: $id) { ${PATTERN_FIELDS} } }`;

export const CLASSIFY = `query Classify($reply: String!, $recipient: String, $ispId: ID) {
  classify(reply: $reply, recipient: $recipient, ispId: $ispId) {
    type matchedBy message replyCode enhancedStatusCode rulesetVersion pattern { patternId name } isp { ispId name }
  }
}`;

export const CREATE_TOKEN = `mutation CreateToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { token { id name role revoked } secret }
}`;

export const REVOKE_TOKEN = `mutation Revoke($id: ID!) { revokeApiToken(id: $id) { token { id revoked } } }`;
