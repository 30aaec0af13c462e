using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class OrderNumberSequences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Order numbers move from one counter row per tenant, locked by every order until it commits (so
            // orders of a tenant ran one at a time), to one sequence per tenant: unique and increasing, no lock
            // held until commit, and a rolled-back order leaves a gap. Sequence names are order_numbers_<tenant id>
            // (ten_ + 32 hex: 50 characters), always quoted with %I.
            //
            // create_order_number_sequence: two sessions running CREATE SEQUENCE IF NOT EXISTS for one name at
            // once can both pass the existence check, and the second then fails with a unique violation on
            // pg_type; so creators queue on an advisory lock per tenant (held to the end of the transaction)
            // and the second one finds the sequence the first committed.
            //
            // next_order_number: nextval of the tenant's sequence, creating it first for a tenant that has
            // none (provisioning creates it; this is the fallback).
            migrationBuilder.Sql("""
                CREATE FUNCTION create_order_number_sequence(tenant_id text) RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    sequence_name text := 'order_numbers_' || tenant_id;
                BEGIN
                    -- PostgreSQL would silently truncate a longer name, and two tenants could share a sequence.
                    IF octet_length(sequence_name) > 63 THEN
                        RAISE EXCEPTION 'tenant id % is too long for an order number sequence name', tenant_id;
                    END IF;
                    IF to_regclass(format('%I', sequence_name)) IS NULL THEN
                        PERFORM pg_advisory_xact_lock(hashtextextended(sequence_name, 0));
                        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS %I', sequence_name);
                    END IF;
                END $$;

                CREATE FUNCTION next_order_number(tenant_id text) RETURNS bigint LANGUAGE plpgsql AS $$
                DECLARE
                    sequence_name text := format('%I', 'order_numbers_' || tenant_id);
                BEGIN
                    IF to_regclass(sequence_name) IS NULL THEN
                        PERFORM create_order_number_sequence(tenant_id);
                    END IF;
                    RETURN nextval(sequence_name::regclass);
                END $$;
                """);

            // Numbering continues where each tenant's counter stopped. No advisory locks here: the migration
            // runs alone, and one lock per tenant would only fill the lock table.
            migrationBuilder.Sql("""
                DO $$
                DECLARE
                    counter record;
                BEGIN
                    FOR counter IN SELECT tenant_id, last_number FROM order_number_counters WHERE last_number > 0 LOOP
                        EXECUTE format('CREATE SEQUENCE %I', 'order_numbers_' || counter.tenant_id);
                        PERFORM setval(format('%I', 'order_numbers_' || counter.tenant_id)::regclass, counter.last_number);
                    END LOOP;
                END $$;
                """);

            migrationBuilder.DropTable(
                name: "order_number_counters");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "order_number_counters",
                columns: table => new
                {
                    tenant_id = table.Column<string>(type: "text", nullable: false, collation: "C"),
                    last_number = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_order_number_counters", x => x.tenant_id);
                });

            // Each counter takes its sequence's last number given out; a sequence never used gives no row.
            migrationBuilder.Sql("""
                INSERT INTO order_number_counters (tenant_id, last_number)
                SELECT substr(sequencename, length('order_numbers_') + 1), last_value
                FROM pg_sequences
                WHERE schemaname = current_schema() AND sequencename LIKE 'order\_numbers\_%' AND last_value IS NOT NULL;

                DO $$
                DECLARE
                    seq record;
                BEGIN
                    FOR seq IN SELECT sequencename FROM pg_sequences
                                    WHERE schemaname = current_schema() AND sequencename LIKE 'order\_numbers\_%' LOOP
                        EXECUTE format('DROP SEQUENCE %I', seq.sequencename);
                    END LOOP;
                END $$;

                DROP FUNCTION next_order_number(text);
                DROP FUNCTION create_order_number_sequence(text);
                """);
        }
    }
}
