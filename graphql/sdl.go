package graphql

import (
	"strings"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
)

// SDL returns the GraphQL schema that the catalog's objects give, as text.
// It is a pure function of the catalog: the same catalog gives the same
// text. Objects and fields that cannot be exposed (a lookup whose target is
// missing, a name that collides with a generated one) are left out.
func SDL(cat *engine.Catalog) string {
	return buildModel(cat).sdl()
}

// Argument lists shared by root and reverse lists.
func listArgs(o *objectModel) string {
	return "(filter: " + o.filterType() + ", orderBy: [" + o.orderByType() + "!], first: Int, after: String)"
}

func (m *model) sdl() string {
	var b strings.Builder
	b.WriteString("schema {\n  query: Query\n  mutation: Mutation\n}\n\n")
	b.WriteString("\"A calendar date, YYYY-MM-DD.\"\nscalar Date\n\n")
	b.WriteString("\"A point in time, RFC 3339 (returned in UTC).\"\nscalar DateTime\n\n")
	b.WriteString("\"Any JSON value.\"\nscalar JSON\n\n")

	b.WriteString("type Query {\n")
	for _, o := range m.objects {
		writeDesc(&b, "  ", "One "+o.name+" record by id, or null when there is none.")
		b.WriteString("  " + o.single + "(id: ID!): " + o.typeName + "\n")
		writeDesc(&b, "  ", "A page of "+o.name+" records. view names a saved view to start from (see views): its filter is and-ed with filter, its order used when orderBy is empty.")
		b.WriteString("  " + o.list + "(view: String, " + listArgs(o)[1:] + ": " + o.connectionType() + "!\n")
		for _, p := range o.pipelines {
			writeDesc(&b, "  ", "The "+o.name+" records by "+p.field.name+", one column per stage in pipeline order (a kanban board). Page a column with "+o.list+" and a filter on "+p.field.name+".")
			b.WriteString("  " + p.board + "(view: String, filter: " + o.filterType() + ", orderBy: [" + o.orderByType() + "!], first: Int): [" + p.columnType + "!]!\n")
		}
	}
	b.WriteString("  \"The object definitions the caller may read. Administrators get them whole; a role gets them without the fields it may not see and without scripts, automations, validation rules, formula expressions and roll-up configurations.\"\n  objects: [ObjectDefinition!]!\n")
	b.WriteString("  \"One object definition by name (as objects gives it), or null.\"\n  object(name: String!): ObjectDefinition\n")
	b.WriteString("  \"Every saved version of an object definition (administrators only).\"\n  objectHistory(name: String!): [ObjectDefinition!]!\n")
	b.WriteString("  \"Effects of automations waiting for or done with delivery, newest first; status is pending, delivered or dead (administrators only).\"\n")
	b.WriteString("  outbox(status: String, first: Int): [OutboxEntry!]!\n")
	b.WriteString("  \"In-app notifications sent by automations, newest first (administrators only).\"\n")
	b.WriteString("  notifications(recipient: String, first: Int): [Notification!]!\n")
	b.WriteString("  \"The key that signs this tenant's webhooks (X-CRM-Signature), for receivers to check them (administrators only).\"\n")
	b.WriteString("  webhookSecret: String!\n")
	b.WriteString("  \"The audit trail, newest first: every record change and definition change with who, when, through which door and the old and new values (administrators only).\"\n")
	b.WriteString("  auditTrail(object: String, recordId: ID, actor: String, action: String, since: DateTime, until: DateTime, first: Int, after: String): AuditPage!\n")
	b.WriteString("  \"Every budget in force for this tenant, with its current value (administrators only).\"\n  limits: [Limit!]!\n")
	b.WriteString("  \"Background jobs (such as recomputing a changed formula), newest first, with their progress (administrators only).\"\n  jobs(first: Int): [Job!]!\n")
	b.WriteString("  \"Everything stored about one record (a person): the record, the records referring to it, its stage history and audit trail; the request is audited (administrators only).\"\n")
	b.WriteString("  personalData(object: String!, id: ID!): JSON!\n")
	b.WriteString("  \"The industry templates this server ships, with the version installed in this tenant (administrators only).\"\n  templates: [TemplateInfo!]!\n")
	b.WriteString("  \"The tenant's roles: {name, label, objects: {object or *: {read, create, update, delete, fields: {field: hidden, readOnly or masked}}}} (administrators only).\"\n  roles: JSON!\n")
	b.WriteString("  \"Who is making this request.\"\n  me: Me!\n")
	b.WriteString("  \"The tenant's users (administrators only).\"\n  users: [User!]!\n")
	b.WriteString("  \"Active users for everyone signed in, in display-name order (Latin names first, Chinese names by pinyin): those whose user name or display name contains search, case-insensitive; first is 1 to 100, default 50.\"\n")
	b.WriteString("  userDirectory(search: String, first: Int): [DirectoryUser!]!\n")
	b.WriteString("  \"The menu of the web app: the navigation groups of the tenant's templates, oldest install first, with the objects the caller may read, then 其他 / Other with the readable objects no group names.\"\n")
	b.WriteString("  navigation: [NavGroup!]!\n")
	b.WriteString(viewSDLQuery)
	b.WriteString("}\n\n")

	b.WriteString("type Mutation {\n")
	for _, o := range m.objects {
		if o.writable() {
			b.WriteString("  " + o.createField() + "(input: " + o.inputType() + "!): " + o.typeName + "!\n")
			writeDesc(&b, "  ", "Changes the fields present in input (null clears one); version, when given, must be the stored one.")
			b.WriteString("  " + o.updateField() + "(id: ID!, input: " + o.patchType() + "!, version: Int): " + o.typeName + "!\n")
		} else {
			b.WriteString("  " + o.createField() + ": " + o.typeName + "!\n")
		}
		b.WriteString("  " + o.deleteField() + "(id: ID!): Boolean!\n")
		writeDesc(&b, "  ", "Hands the record to another active user (user:NAME or NAME); only its owner, the people above the owner and administrators may.")
		b.WriteString("  " + o.transferField() + "(id: ID!, owner: String!): " + o.typeName + "!\n")
	}
	b.WriteString("  \"Creates or changes an object definition (administrators only).\"\n")
	b.WriteString("  saveObject(definition: JSON!, options: SaveObjectOptions): ObjectDefinition!\n")
	b.WriteString("  \"Creates or replaces a role, in the shape roles lists; it applies from the next request (administrators only).\"\n")
	b.WriteString("  saveRole(definition: JSON!): JSON!\n")
	b.WriteString("  \"Deletes a role that no active user has (administrators only).\"\n  deleteRole(name: String!): Boolean!\n")
	b.WriteString(viewSDLMutation)
	b.WriteString("  \"Adds a user who signs in with a password (administrators only).\"\n  createUser(input: NewUserInput!): User!\n")
	b.WriteString("  \"Changes a user (administrators only).\"\n  updateUser(username: String!, input: UserChangeInput!): User!\n")
	b.WriteString("  \"Replaces the signed-in user's own password; their other sessions end.\"\n  changePassword(current: String!, new: String!): Boolean!\n")
	b.WriteString("  \"Puts a dead or pending outbox entry back in line for delivery now (administrators only).\"\n")
	b.WriteString("  retryOutboxEntry(id: ID!): OutboxEntry!\n")
	b.WriteString("  \"Recomputes a roll-up summary field on every record; returns how many changed (administrators only).\"\n")
	b.WriteString("  rebuildRollup(object: String!, field: String!): Int!\n")
	b.WriteString("  \"Runs a script against a sample record without writing anything: kind is validate, beforeSave, afterSave, onStageChange or scheduled (administrators only).\"\n")
	b.WriteString("  testScript(object: String!, kind: String!, source: String!, record: JSON, old: JSON): ScriptTestResult!\n")
	b.WriteString("  \"Deletes a record about a person and removes its values from the audit trail; the erasure is audited (administrators only).\"\n")
	b.WriteString("  erasePersonalData(object: String!, id: ID!): Boolean!\n")
	b.WriteString("  \"Installs a template or upgrades it in place (three-way merge); dryRun shows the whole plan and changes nothing; onConflict is ours or theirs; at most 5,000 sample records here (administrators only).\"\n")
	b.WriteString("  installTemplate(name: String!, dryRun: Boolean, onConflict: String, sampleData: Boolean, records: Int, seed: Int): TemplateResult!\n")
	b.WriteString("  \"Installs a template in the background, with up to 200,000 sample records; follow its progress in jobs (administrators only).\"\n")
	b.WriteString("  startTemplateInstall(name: String!, onConflict: String, sampleData: Boolean, records: Int, seed: Int): Job!\n")
	b.WriteString("  \"Undoes the last install or upgrade of a template (administrators only).\"\n")
	b.WriteString("  rollbackTemplate(name: String!, dryRun: Boolean, force: Boolean): TemplateResult!\n")
	b.WriteString("  \"Deletes a template's sample records, never the tenant's own; returns how many (administrators only).\"\n")
	b.WriteString("  resetSampleData(name: String!): Int!\n")
	b.WriteString("}\n\n")

	for _, o := range m.objects {
		m.writeObject(&b, o)
	}
	b.WriteString(staticSDL)
	b.WriteString(userSDL)
	b.WriteString(navigationSDL)
	b.WriteString(accessSDL)
	return b.String()
}

func (m *model) writeObject(b *strings.Builder, o *objectModel) {
	writeDesc(b, "", labelText(o.obj.Label, o.obj.Description))
	b.WriteString("type " + o.typeName + " {\n")
	b.WriteString("  id: ID!\n  version: Int!\n  createdAt: DateTime!\n  updatedAt: DateTime!\n  createdBy: String!\n  updatedBy: String!\n")
	b.WriteString("  \"The user who owns the record (user:NAME); record-level sharing follows it.\"\n  ownerId: String!\n")
	for _, f := range o.fields {
		writeDesc(b, "  ", labelText(f.f.Label, f.f.Description))
		b.WriteString("  " + f.name + ": " + outputType(f) + "\n")
	}
	for _, r := range o.reverses {
		writeDesc(b, "  ", "The "+r.source.name+" records whose "+r.field.name+" refers to this one.")
		b.WriteString("  " + r.name + listArgs(r.source) + ": " + r.source.connectionType() + "!\n")
	}
	for _, p := range o.pipelines {
		writeDesc(b, "  ", "The moves of "+p.field.name+" along its pipeline, oldest first.")
		b.WriteString("  " + p.history + ": [StageChange!]!\n")
	}
	if o.audit != "" {
		writeDesc(b, "  ", "This record's history, newest first: who changed what, when and through which door (administrators only).")
		b.WriteString("  " + o.audit + "(first: Int, after: String): AuditPage!\n")
	}
	b.WriteString("}\n\n")

	for _, p := range o.pipelines {
		writeDesc(b, "", "One stage of the "+p.field.name+" board of "+o.name+" records.")
		b.WriteString("type " + p.columnType + " {\n  stage: StageDefinition!\n")
		b.WriteString("  \"Counts every record in the stage that matches the filter.\"\n  totalCount: Int!\n")
		b.WriteString("  nodes: [" + o.typeName + "!]!\n  pageInfo: PageInfo!\n}\n\n")
	}

	b.WriteString("type " + o.connectionType() + " {\n  nodes: [" + o.typeName + "!]!\n  edges: [" + o.edgeType() + "!]!\n  pageInfo: PageInfo!\n")
	b.WriteString("  \"Counts every match of the filter; computed only when selected.\"\n  totalCount: Int!\n}\n\n")
	b.WriteString("type " + o.edgeType() + " {\n  cursor: String!\n  node: " + o.typeName + "!\n}\n\n")

	writeDesc(b, "", "Conditions on "+o.name+" records. Conditions of one filter object are all required (and).")
	b.WriteString("input " + o.filterType() + " {\n")
	b.WriteString("  and: [" + o.filterType() + "!]\n  or: [" + o.filterType() + "!]\n  not: " + o.filterType() + "\n")
	b.WriteString("  id: IDComparison\n  version: IntComparison\n  createdAt: DateTimeComparison\n  updatedAt: DateTimeComparison\n  createdBy: StringComparison\n  updatedBy: StringComparison\n  ownerId: StringComparison\n")
	for _, f := range o.fields {
		if f.filterable() {
			b.WriteString("  " + f.name + ": " + comparisonType(f.kind) + "\n")
		}
	}
	b.WriteString("}\n\n")

	writeDesc(b, "", "One sort key: set exactly one field.")
	b.WriteString("input " + o.orderByType() + " {\n  id: SortDirection\n  version: SortDirection\n  createdAt: SortDirection\n  updatedAt: SortDirection\n  ownerId: SortDirection\n")
	for _, f := range o.fields {
		if f.sortable() {
			b.WriteString("  " + f.name + ": SortDirection\n")
		}
	}
	b.WriteString("}\n\n")

	if o.writable() {
		for _, name := range []string{o.inputType(), o.patchType()} {
			b.WriteString("input " + name + " {\n")
			for _, f := range o.fields {
				if !f.f.ReadOnly() {
					b.WriteString("  " + f.name + ": " + inputType(f) + "\n")
				}
			}
			b.WriteString("}\n\n")
		}
	}
}

func outputType(f *fieldModel) string {
	switch f.kind {
	case schema.KindNumber:
		return "Float"
	case schema.KindInteger:
		return "Int"
	case schema.KindBoolean:
		return "Boolean"
	case schema.KindDate:
		return "Date"
	case schema.KindDateTime:
		return "DateTime"
	case schema.KindLookup:
		return f.target.typeName
	case schema.KindStringList:
		return "[String!]"
	case schema.KindLookupList:
		return "[" + f.target.typeName + "!]!"
	case schema.KindAddress:
		return "Address"
	case schema.KindJSON:
		return "JSON"
	}
	return "String"
}

func inputType(f *fieldModel) string {
	switch f.kind {
	case schema.KindLookup:
		return "ID"
	case schema.KindLookupList:
		return "[ID!]"
	case schema.KindAddress:
		return "AddressInput"
	}
	return outputType(f)
}

func comparisonType(k schema.Kind) string {
	switch k {
	case schema.KindNumber:
		return "FloatComparison"
	case schema.KindInteger:
		return "IntComparison"
	case schema.KindBoolean:
		return "BooleanComparison"
	case schema.KindDate:
		return "DateComparison"
	case schema.KindDateTime:
		return "DateTimeComparison"
	case schema.KindLookup:
		return "IDComparison"
	case schema.KindStringList:
		return "StringListComparison"
	case schema.KindLookupList:
		return "IDListComparison"
	case schema.KindAddress:
		return "AddressFilter"
	case schema.KindJSON:
		return "JSONComparison"
	}
	return "StringComparison"
}

// labelText is the description of a type or field: its labels and
// description.
func labelText(l schema.Label, desc string) string {
	var parts []string
	for _, s := range []string{l.Zh, l.En} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	text := strings.Join(parts, " / ")
	if desc != "" {
		if text != "" {
			text += ": "
		}
		text += desc
	}
	return text
}

// writeDesc writes a GraphQL string description, escaped; nothing for "".
func writeDesc(b *strings.Builder, indent, text string) {
	if text == "" {
		return
	}
	b.WriteString(indent)
	b.WriteByte('"')
	for _, r := range text {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20:
			// Other control characters are not allowed in a GraphQL string.
			b.WriteString(" ")
		default:
			b.WriteRune(r)
		}
	}
	b.WriteString("\"\n")
}

// staticSDL holds the types every tenant's schema has.
const staticSDL = `type PageInfo {
  hasNextPage: Boolean!
  "The cursor of the last record of the page; pass it as after to get the next page."
  endCursor: String
}

enum SortDirection {
  ASC
  DESC
}

type Address {
  country: String
  province: String
  city: String
  district: String
  street: String
  postalCode: String
}

input AddressInput {
  country: String
  province: String
  city: String
  district: String
  street: String
  postalCode: String
}

input AddressFilter {
  country: StringComparison
  province: StringComparison
  city: StringComparison
  district: StringComparison
  street: StringComparison
  postalCode: StringComparison
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
}

"An effect of an automation, delivered by the worker with retries."
type OutboxEntry {
  id: ID!
  "webhook or notify"
  kind: String!
  object: String!
  recordId: ID!
  rule: String!
  url: String
  payload: JSON!
  "pending, delivered or dead"
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
}

"A budget that applies to the tenant."
type Limit {
  name: String!
  value: Float!
  unit: String!
  description: String!
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
  error: String
  createdAt: DateTime!
  finishedAt: DateTime
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
  "field → old option → new option (\"\" clears)."
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
