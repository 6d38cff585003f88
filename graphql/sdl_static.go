package graphql

// The parts of the schema that every tenant has: scalars, shared types and
// the root fields that do not depend on the tenant's objects. They are
// parsed once (staticParts) and shared, read-only, by every schema.

// staticQuerySDL holds the Query fields every schema has, after the
// objects' own.
const staticQuerySDL = `  "The object definitions the caller may read. Administrators get them whole; a role gets them without the fields it may not see and without scripts, automations, validation rules, formula expressions and roll-up configurations."
  objects: [ObjectDefinition!]!
  "One object definition by name (as objects gives it), or null."
  object(name: String!): ObjectDefinition
  "Every saved version of an object definition (administrators only)."
  objectHistory(name: String!): [ObjectDefinition!]!
  "Effects of automations waiting for or done with delivery, newest first; status is pending, delivered or dead (administrators only)."
  outbox(status: String, first: Int): [OutboxEntry!]!
  "In-app notifications sent by automations, newest first (administrators only)."
  notifications(recipient: String, first: Int): [Notification!]!
  "The key that signs this tenant's webhooks (X-CRM-Signature), for receivers to check them (administrators only)."
  webhookSecret: String!
  "The audit trail, newest first: every record change and definition change with who, when, through which door and the old and new values (administrators only)."
  auditTrail(object: String, recordId: ID, actor: String, action: String, since: DateTime, until: DateTime, first: Int, after: String): AuditPage!
  "Every budget in force for this tenant, with its current value (administrators only)."
  limits: [Limit!]!
  "What this tenant uses: script runs, their time and failures, API requests and those refused by the rate limit over the last hour and day (counted since the server started), and now the runs in flight, deliveries waiting, background jobs and stored bytes; limit names the budget in limits a figure is measured against (administrators only)."
  usage: [UsageFigure!]!
  "Background jobs (such as recomputing a changed formula), newest first, with their progress (administrators only)."
  jobs(first: Int): [Job!]!
  "Everything stored about one record (a person): the record, the records referring to it, its stage history and audit trail; the request is audited (administrators only)."
  personalData(object: String!, id: ID!): JSON!
  "The industry templates this server ships, with the version installed in this tenant (administrators only)."
  templates: [TemplateInfo!]!
  "The tenant's configuration (objects, roles, layouts, shared views, menu) as a template of that name and version: a zip archive of its folder, which crm template install NAME.zip installs in another tenant (administrators only)."
  exportTemplate(name: String!, version: String!): TemplateArchive!
  "The tenant's roles: {name, label, objects: {object or *: {read, create, update, delete, fields: {field: hidden, readOnly or masked}}}} (administrators only)."
  roles: JSON!
  "Who is making this request."
  me: Me!
  "The tenant's users (administrators only)."
  users: [User!]!
  "Active users for everyone signed in, in display-name order (Latin names first, Chinese names by pinyin): those whose user name or display name contains search, case-insensitive; first is 1 to 100, default 50."
  userDirectory(search: String, first: Int): [DirectoryUser!]!
  "The tenant's API keys, oldest first, revoked and expired ones included; never their secrets (administrators only)."
  apiKeys: [ApiKey!]!
  "The menu of the web app: the navigation groups of the tenant's templates, oldest install first, with the objects the caller may read, then 其他 / Other with the readable objects no group names."
  navigation: [NavGroup!]!
`

// staticMutationSDL holds the Mutation fields every schema has, after the
// objects' own. Every mutation result is nullable, so that each root field
// answers for itself (docs/graphql.md, "Mutations").
const staticMutationSDL = `  "Creates or changes an object definition (administrators only)."
  saveObject(definition: JSON!, options: SaveObjectOptions): ObjectDefinition
  "Deletes an object with its records, stage history, timers, layout, list views and reports, audited; records must be the number of records it holds (dryRun tells), else CONFLICT and nothing is deleted; an object other objects refer to (lookups, roll-ups, automations) is refused with the references named (administrators only)."
  deleteObject(name: String!, records: Int!, dryRun: Boolean): ObjectDeletion
  "Creates or replaces a role, in the shape roles lists; it applies from the next request (administrators only)."
  saveRole(definition: JSON!): JSON
  "Deletes a role that no active user has (administrators only)."
  deleteRole(name: String!): Boolean
` + viewSDLMutation + `  "Adds a user who signs in with a password (administrators only)."
  createUser(input: NewUserInput!): User
  "Changes a user (administrators only)."
  updateUser(username: String!, input: UserChangeInput!): User
  "Replaces the signed-in user's own password; their other sessions end."
  changePassword(current: String!, new: String!): Boolean
  "Creates an API key that acts with role (null: as an administrator) until expiresAt (null: until revoked); the answer holds its secret, shown only this once; audited (administrators only)."
  createApiKey(name: String!, role: String, expiresAt: DateTime): NewApiKey
  "Revokes an API key at once: the next request with it is UNAUTHENTICATED. Revoking a revoked key changes nothing; audited (administrators only)."
  revokeApiKey(id: ID!): ApiKey
  "Puts a dead or pending outbox entry back in line for delivery now (administrators only)."
  retryOutboxEntry(id: ID!): OutboxEntry
  "Recomputes a roll-up summary field on every record; returns how many changed (administrators only)."
  rebuildRollup(object: String!, field: String!): Int
  "Starts computing customer value (RFM scores and segment, grade, lifetime value, lifecycle stage, churn risk) of an object with x-crm-customerValue from its orders now, as a job; follow its progress in jobs. A run already waiting or under way is returned instead (administrators only)."
  recomputeCustomerValue(object: String!): Job
  "Runs a script against a sample record without writing anything: kind is validate, beforeSave, afterSave, onStageChange or scheduled (administrators only)."
  testScript(object: String!, kind: String!, source: String!, record: JSON, old: JSON): ScriptTestResult
  "Evaluates an expression against a sample record without saving anything: as a validation rule's condition (truthy: the rule would refuse the record) and as a formula whose JSON Schema type is resultType (number, integer, boolean or string, the default) (administrators only)."
  testExpression(object: String!, expression: String!, record: JSON, resultType: String): ExpressionTestResult
  "Deletes a record about a person and removes its values from the audit trail; the erasure is audited (administrators only)."
  erasePersonalData(object: String!, id: ID!): Boolean
  "Installs a template or upgrades it in place (three-way merge); dryRun shows the whole plan and changes nothing; onConflict is ours or theirs; at most 5,000 sample records here (administrators only)."
  installTemplate(name: String!, dryRun: Boolean, onConflict: String, sampleData: Boolean, records: Int, seed: Int, force: Boolean): TemplateResult
  "Installs a template in the background, with up to 200,000 sample records; follow its progress in jobs (administrators only)."
  startTemplateInstall(name: String!, onConflict: String, sampleData: Boolean, records: Int, seed: Int, force: Boolean): Job
  "Undoes the last install or upgrade of a template (administrators only)."
  rollbackTemplate(name: String!, dryRun: Boolean, force: Boolean): TemplateResult
  "Deletes a template's sample records, never the tenant's own; returns how many (administrators only)."
  resetSampleData(name: String!): Int
`

// staticSDL holds the types every tenant's schema has.
const staticSDL = `"A calendar date, YYYY-MM-DD. Any string is accepted as input: one that is not a date is refused by what uses it (a record field error, or BAD_REQUEST in a filter)."
scalar Date

"A point in time, RFC 3339 (returned in UTC). Any string is accepted as input: one that is not a date-time is refused by what uses it (a record field error, or BAD_REQUEST in a filter)."
scalar DateTime

"Any JSON value."
scalar JSON

"Where a page is in its list (Relay cursor connections)."
type PageInfo {
  hasNextPage: Boolean!
  "True when the page was asked for with after (records come before it); false for a first page."
  hasPreviousPage: Boolean!
  "The cursor of the first record of the page; null when the page is empty."
  startCursor: String
  "The cursor of the last record of the page; pass it as after to get the next page."
  endCursor: String
}

enum SortDirection {
  ASC
  DESC
}

"A span dates and date-times are cut into when records are grouped by them; days begin at midnight in the tenant's time zone and weeks on Monday. FISCAL_QUARTER and FISCAL_YEAR follow the tenant's fiscalYearStart: a fiscal year is named by the calendar year it starts in (2026, 2026-Q1)."
enum DateBucket {
  DAY
  WEEK
  MONTH
  QUARTER
  YEAR
  FISCAL_QUARTER
  FISCAL_YEAR
}

"What a measure computes over a group's records: COUNT records; COUNT_DISTINCT values of a field (records without one left out); SUM, AVG, MIN and MAX of a number field over the records with a value."
enum AggregateFunction {
  COUNT
  COUNT_DISTINCT
  SUM
  AVG
  MIN
  MAX
}

"One key of a group of records."
type GroupKey {
  "The field grouped by."
  field: String!
  "The bucket a date or date-time field was cut into (DAY for a date field grouped without one)."
  bucket: DateBucket
  "The key: a text, picklist value, record or user id, the first day of a bucket (YYYY-MM-DD), a fiscal year (2026) or quarter (2026-Q1), a boolean or an integer; null for the records without a value."
  value: JSON
  "The key as people read it, in the request's language: a picklist option's label, the title of the record a lookup names (its id when the caller may not see it), a user's name, a bucket as 2026-12, 2026 Q4 or FY2026 Q1 (2026财年 Q1), (empty) for null."
  label: String
  "For a bucket, the first day (date fields) or instant (date-time fields) it holds: filter with gte from and lt to for its records."
  from: String
  "For a bucket, the first day or instant after it."
  to: String
}

type Address {
  country: String
  province: String
  city: String
  district: String
  street: String
  postalCode: String
  "GB/T 2260 code of the province (440000); the engine checks it and sets province from it."
  provinceCode: String
  "GB/T 2260 code of the city (440300), in the province."
  cityCode: String
  "GB/T 2260 code of the district (440305), in the city."
  districtCode: String
}

input AddressInput {
  country: String
  province: String
  city: String
  district: String
  street: String
  postalCode: String
  "GB/T 2260 code of the province (440000); the engine checks it and sets province from it."
  provinceCode: String
  "GB/T 2260 code of the city (440300), in the province."
  cityCode: String
  "GB/T 2260 code of the district (440305), in the city."
  districtCode: String
}

input AddressFilter {
  country: StringComparison
  province: StringComparison
  city: StringComparison
  district: StringComparison
  street: StringComparison
  postalCode: StringComparison
  "The province by its GB/T 2260 code (440000)."
  provinceCode: StringComparison
  "The city by its GB/T 2260 code (440300)."
  cityCode: StringComparison
  "The district by its GB/T 2260 code (440305)."
  districtCode: StringComparison
}

type Label {
  zh: String
  en: String
}

type ObjectDefinition {
  name: String!
  version: Int!
  label: Label!
  title: String
  description: String
  "The definition as submitted, a JSON Schema document; redacted for callers that are not administrators (see objects)."
  definition: JSON!
  fields: [FieldDefinition!]!
  savedAt: DateTime
  savedBy: String
  "What the caller may do with the object's records."
  access: ObjectAccess!
  "How many of the object's records the caller may read."
  recordCount: Int!
}

type FieldDefinition {
  name: String!
  type: String!
  label: Label!
  required: Boolean!
  options: [String!]
  target: String
  unique: Boolean!
  sensitive: Boolean!
  "The pipeline of a picklist field whose options are stages."
  pipeline: PipelineDefinition
}

type PipelineDefinition {
  label: Label!
  stages: [StageDefinition!]!
}

type StageDefinition {
  value: String!
  label: Label!
  "open, won, lost or closed."
  category: String!
  "Probability of winning in this stage, 0 to 100."
  probability: Float
  "Fields a record must have filled to enter the stage."
  required: [String!]!
  "Stages a record in this stage may move to; null means any."
  next: [String!]
  "The stage's colour (x-crm-options color): an Ant Design preset name (blue, green, red ...) or #rrggbb; null when none is set."
  color: String
}

"An effect of an automation, delivered by the worker with retries."
type OutboxEntry {
  id: ID!
  "webhook, notify or deliver (a notification sent to one person on channel)"
  kind: String!
  "Of a deliver entry: email, wecom, dingtalk or feishu."
  channel: String
  object: String!
  recordId: ID!
  rule: String!
  url: String
  payload: JSON!
  "pending, delivered, dead or skipped (a deliver entry whose channel does not take its kind)"
  status: String!
  attempts: Int!
  nextAttemptAt: DateTime
  deliveredAt: DateTime
  lastError: String
  createdAt: DateTime!
}

type AuditPage {
  entries: [AuditEntry!]!
  hasNextPage: Boolean!
  "Pass as after for the next page."
  endCursor: String
}

"An industry template."
type TemplateInfo {
  name: String!
  version: String!
  label: Label!
  description: Label!
  "The version installed in this tenant, null when it is not."
  installedVersion: String
}

"A template exported from the tenant."
type TemplateArchive {
  "name-version.zip"
  fileName: String!
  "The paths of the folder's files: manifest.json, objects/…, roles/…, layouts/…, views/…"
  files: [String!]!
  "The zip archive, base64 (RFC 4648 standard encoding)."
  archive: String!
}

"What a template install, upgrade or rollback did or would do."
type TemplateResult {
  template: String!
  fromVersion: String
  toVersion: String!
  dryRun: Boolean!
  applied: Boolean!
  "Per object: action (create, update, unchanged, delete, restore) and the changes (path, op, from, to)."
  objects: JSON!
  "Changes of the tenant and of the new version that collide: object, path, base, ours, theirs."
  conflicts: JSON!
  notes: [String!]!
  sampleRecords: Int!
  "Fields the upgrade turns from text into user fields: object, field, matched (records whose value names an active user), unmatched (values naming no one, with their record counts; cleared only when forced), cleared, and text (what is done, in the caller's language)."
  userFields: JSON!
}

"A budget that applies to the tenant."
type Limit {
  name: String!
  value: Float!
  unit: String!
  "In the request's language (Accept-Language), Chinese by default."
  description: String!
}

"One measure of what the tenant uses."
type UsageFigure {
  name: String!
  "hour (the last 60 minutes), day (the last 24 clock hours) or now."
  window: String!
  value: Float!
  unit: String!
  "In the request's language (Accept-Language), Chinese by default."
  description: String!
  "The name of the budget in limits this figure is measured against; null when none."
  limit: String
}

"A background job and its progress."
type Job {
  id: ID!
  kind: String!
  object: String!
  fields: [String!]!
  "pending, running, done or failed"
  status: String!
  total: Int!
  done: Int!
  changed: Int!
  "Records a recomputation of converted amounts left without one, for want of an exchange rate."
  missing: Int!
  error: String
  createdAt: DateTime!
  finishedAt: DateTime
}

"What an expression gave in a test."
type ExpressionTestResult {
  "The result as a formula of the result type would store it; null for no value."
  value: JSON
  "Whether a validation rule with this condition would refuse the record."
  truthy: Boolean!
  "The failure (syntax with line and column, a limit, a result the type cannot hold); null when none."
  error: String
}

"What a script did in a test run."
type ScriptTestResult {
  "The run's failure (exception, limit, syntax) with script, line and message; null when it ran to the end."
  error: String
  errors: [ScriptFieldError!]!
  "beforeSave: the fields set (null removes one)."
  changes: JSON
  logs: [ScriptLog!]!
  logsTruncated: Boolean!
  "Actions it would have enqueued."
  enqueued: JSON!
  "Creates and updates it would have made."
  writes: JSON!
  "durationMs, hostCalls, queries, reads, writes, enqueued."
  stats: JSON!
}

type ScriptFieldError {
  field: String!
  message: String!
}

type ScriptLog {
  level: String!
  message: String!
}

"One change in the audit trail."
type AuditEntry {
  id: ID!
  at: DateTime!
  actor: String!
  "graphql, automation, import, api ..."
  door: String!
  "create, update, delete or metadata"
  action: String!
  object: String!
  recordId: ID
  version: Int!
  "field → [old, new]; sensitive fields show •••"
  changes: JSON!
}

"An in-app notification sent by an automation."
type Notification {
  id: ID!
  recipient: String!
  message: Label!
  object: String!
  recordId: ID!
  rule: String!
  read: Boolean!
  createdAt: DateTime!
}

"One move of a record along a pipeline."
type StageChange {
  id: ID!
  "The stage left; null when the record entered its first stage."
  from: String
  "The stage entered; null when the stage was cleared."
  to: String
  at: DateTime!
  by: String!
  "Seconds the record had spent in the stage it left; null for its first stage."
  secondsInPrevious: Float
}

"Explicit migrations for a definition change that stored data would not fit."
input SaveObjectOptions {
  "The save fails with CONFLICT unless the object is at this version."
  expectedVersion: Int
  "field → value to set where the field is empty."
  fill: JSON
  "field → old option → new option (\"\" clears). For a user field, old value → user (user:NAME, a user name or a display name; \"\" clears)."
  remap: JSON
  "Fields whose stored values are removed."
  clear: [String!]
}

"Operators given together must all hold. A null operand means no condition."
input StringComparison {
  eq: String
  ne: String
  in: [String!]
  nin: [String!]
  "Substring, case-insensitive for ASCII letters."
  contains: String
  startsWith: String
  isNull: Boolean
}

input FloatComparison {
  eq: Float
  ne: Float
  gt: Float
  gte: Float
  lt: Float
  lte: Float
  in: [Float!]
  nin: [Float!]
  isNull: Boolean
}

input IntComparison {
  eq: Int
  ne: Int
  gt: Int
  gte: Int
  lt: Int
  lte: Int
  in: [Int!]
  nin: [Int!]
  isNull: Boolean
}

input BooleanComparison {
  eq: Boolean
  ne: Boolean
  isNull: Boolean
}

input DateComparison {
  eq: Date
  ne: Date
  gt: Date
  gte: Date
  lt: Date
  lte: Date
  in: [Date!]
  nin: [Date!]
  isNull: Boolean
}

input DateTimeComparison {
  eq: DateTime
  ne: DateTime
  gt: DateTime
  gte: DateTime
  lt: DateTime
  lte: DateTime
  in: [DateTime!]
  nin: [DateTime!]
  isNull: Boolean
}

input IDComparison {
  eq: ID
  ne: ID
  in: [ID!]
  nin: [ID!]
  isNull: Boolean
}

input StringListComparison {
  "The list has this element."
  includes: String
  "The list has at least one of these."
  includesAny: [String!]
  "The list has all of these."
  includesAll: [String!]
  "The list has none of these."
  excludes: [String!]
  "true: the list is missing or empty."
  isEmpty: Boolean
}

input IDListComparison {
  includes: ID
  includesAny: [ID!]
  includesAll: [ID!]
  excludes: [ID!]
  isEmpty: Boolean
}

input JSONComparison {
  isNull: Boolean
}
`
