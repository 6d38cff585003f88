package scaleplan

import (
	"fmt"
	"strings"
)

// PooledCollections are the collections of one pool in the pooled layout
// docs/scale.md proposes, with their index counts: every tenant of the
// pool shares them, each document carrying its tenant t.
//
//   - records: every object's records, {_id: "<t>/<object>/<id>", t, obj,
//     v, ca, ua, cb, ub, o, d}; indexes _id_, {t, obj, ca, _id},
//     {t, obj, ua, _id}, {t, obj, o, _id} and the compound wildcard index
//     {t, obj, "d.$**"} (MongoDB 7.0+) for the tenants' own fields;
//   - unique_values: one document per unique value in use,
//     _id "<t>/<object>/<field>/<value>", written in the record's
//     transaction (a wildcard index cannot be unique, and a unique index
//     per tenant and field would bring back per-tenant indexes);
//   - meta_objects ({t, name, version} besides _id_), meta, sequences,
//     data_versions: as in a tenant database, keyed by tenant;
//   - blobs.files and blobs.chunks: the GridFS bucket, file ids prefixed
//     by tenant.
var PooledCollections = map[string]int{
	"records":       5,
	"unique_values": 1,
	"meta_objects":  2,
	"meta":          1,
	"sequences":     1,
	"data_versions": 1,
	"blobs.files":   2,
	"blobs.chunks":  2,
}

// Pool is the cost of one pool, whatever its number of tenants.
func Pool() Cost { return sum(PooledCollections) }

// CollectionsPerShard is the number of collections per replica set (or
// per shard of a sharded cluster) above which MongoDB's guidance expects
// performance to fall (docs/scale.md cites it).
const CollectionsPerShard = 10_000

// ClusterFiles is the combined number of collections and indexes of a
// cluster beyond which MongoDB's storage FAQ says performance might
// degrade.
const ClusterFiles = 100_000

// Shards is how many replica sets (shards) keep every one under
// CollectionsPerShard collections when c is spread evenly.
func Shards(c Cost) int {
	return max(1, (c.Collections+CollectionsPerShard-1)/CollectionsPerShard)
}

// Fleet is one row of the fleet table: n tenants in each layout.
type Fleet struct {
	Tenants   int
	Small     Cost // database per tenant, every tenant an active starter tenant
	Large     Cost // database per tenant, every tenant an active b2b-sales tenant
	Pooled    Cost // one pool for every tenant
	Pools     Cost // pools of PoolTenants tenants each
	Mixed     Cost // one pool, and BigShare of the tenants in databases of their own (b2b-sales)
	BigShare  int  // per thousand tenants
	BigNumber int  // tenants with databases of their own in Mixed
}

// PoolTenants is the pool size of the fleet table's second pooled
// column: smaller pools bound what one pool's failure, restore or
// noisy tenant reaches, at the price of more collections.
const PoolTenants = 1_000

// FleetSizes are the tenant counts of the fleet table.
var FleetSizes = []int{1_000, 10_000, 100_000}

// Big tenants per thousand in the mixed layout.
const bigPerMille = 10

// SmallTemplate and LargeTemplate are the templates of the fleet table's
// typical small and large tenants.
const (
	SmallTemplate = "starter"
	LargeTemplate = "b2b-sales"
)

// Fleets computes the fleet table.
func (c *Catalog) Fleets() []Fleet {
	small, large := c.ActiveTenant(SmallTemplate), c.ActiveTenant(LargeTemplate)
	out := make([]Fleet, 0, len(FleetSizes))
	for _, n := range FleetSizes {
		big := n * bigPerMille / 1000
		out = append(out, Fleet{
			Tenants: n, Small: small.Times(n), Large: large.Times(n), Pooled: Pool(),
			Pools: Pool().Times((n + PoolTenants - 1) / PoolTenants),
			Mixed: Pool().Add(large.Times(big)), BigShare: bigPerMille, BigNumber: big,
		})
	}
	return out
}

// TenantTable renders the per-tenant table of docs/scale.md (database per
// tenant). newTenant lists the platform objects a new tenant with an
// administrator has.
func (c *Catalog) TenantTable(newTenant []string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "| tenant | objects of its own | collections | indexes | WiredTiger files | tenants per replica set at %s collections | tenants per cluster at %s collections and indexes |\n",
		thousands(CollectionsPerShard), thousands(ClusterFiles))
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|\n")
	row := func(label string, objects int, cost Cost) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %s |\n", label, objects, cost.Collections, cost.Indexes, cost.Files(),
			thousands(CollectionsPerShard/cost.Collections), thousands(ClusterFiles/cost.Files()))
	}
	created, err := c.NewTenant(newTenant)
	if err != nil {
		return "", err
	}
	row(fmt.Sprintf("just created, with its administrator (%d platform objects)", len(newTenant)), 0, created)
	row(fmt.Sprintf("in use, no template (all %d platform objects, a file stored)", len(c.Platform)), 0, c.ActiveTenant(""))
	for _, name := range c.TemplateNames() {
		row("in use, template "+name, len(c.Templates[name]), c.ActiveTenant(name))
	}
	return b.String(), nil
}

// FleetTable renders the fleet table of docs/scale.md.
func (c *Catalog) FleetTable() string {
	var b strings.Builder
	fmt.Fprintf(&b, "| tenants | per tenant, all %s: collections / files / replica sets | per tenant, all %s: collections / files / replica sets | one pool: collections / files | pools of %s: collections / files | mixed (%d‰ big, %s, own database): collections / files / replica sets |\n",
		SmallTemplate, LargeTemplate, thousands(PoolTenants), bigPerMille, LargeTemplate)
	b.WriteString("|---:|---:|---:|---:|---:|---:|\n")
	for _, f := range c.Fleets() {
		fmt.Fprintf(&b, "| %s | %s / %s / %s | %s / %s / %s | %d / %d | %s / %s | %s / %s / %s |\n",
			thousands(f.Tenants),
			thousands(f.Small.Collections), thousands(f.Small.Files()), thousands(Shards(f.Small)),
			thousands(f.Large.Collections), thousands(f.Large.Files()), thousands(Shards(f.Large)),
			f.Pooled.Collections, f.Pooled.Files(),
			thousands(f.Pools.Collections), thousands(f.Pools.Files()),
			thousands(f.Mixed.Collections), thousands(f.Mixed.Files()), thousands(Shards(f.Mixed)))
	}
	return b.String()
}

// thousands writes n with a comma between groups of three digits.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// OpenFiles is the open-file limit the CIS MongoDB benchmark recommends
// for mongod (ulimit -n).
const OpenFiles = 64_000

// HandleStatsBytes is the memory of one WiredTiger data handle's
// statistics, as WiredTiger's issue WT-2975 (2016) puts it: about 100
// statistics of 184 bytes each. It is a lower bound of a handle's
// memory, and the only figure per handle found in MongoDB's trackers.
const HandleStatsBytes = 100 * 184

// Reading renders the paragraph of docs/scale.md that reads the fleet
// table, so that its figures are computed too.
func (c *Catalog) Reading() string {
	fleets := c.Fleets()
	first, last := fleets[0], fleets[len(fleets)-1]
	ratio := func(a, b int) string { return fmt.Sprintf("%.1f", float64(a)/float64(b)) }
	return fmt.Sprintf(`Reading it: %s %s tenants in use are %s collections and %s
files: %s times the collection guidance for one replica set, %s times
the FAQ's %s collections and indexes for a whole cluster, and %s times
the %s open files the CIS benchmark sets for mongod were they all open
at once: handles idle for ten minutes are closed, and a cold tenant's
first request opens its files again.
Were they all open, their data handles' statistics alone would take
%s (WT-2975's %s bytes a handle). At %s tenants a database per tenant
needs %s (%s) to %s (%s) replica sets by the collection guidance alone;
mixed needs %s, pooled %s, and the pool's cost does not grow with its
tenants.
`,
		thousands(first.Tenants), SmallTemplate, thousands(first.Small.Collections), thousands(first.Small.Files()),
		ratio(first.Small.Collections, CollectionsPerShard), ratio(first.Small.Files(), ClusterFiles), thousands(ClusterFiles),
		ratio(first.Small.Files(), OpenFiles), thousands(OpenFiles),
		gigabytes(first.Small.Files()*HandleStatsBytes), thousands(HandleStatsBytes),
		thousands(last.Tenants), thousands(Shards(last.Small)), SmallTemplate, thousands(Shards(last.Large)), LargeTemplate,
		thousands(Shards(last.Mixed)), thousands(Shards(last.Pooled)))
}

// gigabytes writes n bytes in GB (10^9 bytes), one decimal.
func gigabytes(n int) string { return fmt.Sprintf("%.1f GB", float64(n)/1e9) }
