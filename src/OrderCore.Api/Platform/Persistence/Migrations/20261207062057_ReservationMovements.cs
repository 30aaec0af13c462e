using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OrderCore.Api.Platform.Persistence.Migrations
{
    /// <summary>
    /// Fewer writes per order: a reservation is its own reserve movement (view <c>inventory_movements</c> over the stored
    /// <c>inventory_movement_rows</c> and <c>inventory_reservations</c>), and the time columns that sweeps read in ranges
    /// (events' <c>created_at</c>, idempotency records' <c>expires_at</c>) get BRIN indexes instead of B-trees, events lose the subject index no query reads; <c>reserve_stock</c>
    /// locks each level by the UPDATE that changes it.
    /// </summary>
    public partial class ReservationMovements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_idempotency_records_expires_at",
                table: "idempotency_records");

            migrationBuilder.DropIndex(
                name: "ix_events_created_at",
                table: "events");

            // No query reads events by subject (an event's sequence comes from its subject's row).
            migrationBuilder.DropIndex(
                name: "ix_events_tenant_id_subject_id_sequence",
                table: "events");

            // The reserve rows of existing reservations are the ones the view now derives; a reserve row without a reservation
            // (written by hand, or by an old import) stays.
            migrationBuilder.Sql("""
                ALTER TABLE inventory_movements RENAME TO inventory_movement_rows;
                ALTER TABLE inventory_movement_rows RENAME CONSTRAINT pk_inventory_movements TO pk_inventory_movement_rows;
                ALTER INDEX ix_inventory_movements_tenant_id_sku_id_location_id_id RENAME TO ix_inventory_movement_rows_tenant_id_sku_id_location_id_id;
                DELETE FROM inventory_movement_rows m
                WHERE m.reason = 'reserve' AND EXISTS (
                    SELECT 1 FROM inventory_reservations r WHERE r.tenant_id = m.tenant_id AND r.id = m.reservation_id);

                -- A reservation's reserve movement is the reservation itself (see InventoryMovement).
                CREATE VIEW inventory_movements AS
                SELECT tenant_id, id, sku_id, location_id, reason, on_hand_delta, reserved_delta, reservation_id, order_id, note, created_at
                FROM inventory_movement_rows
                UNION ALL
                SELECT tenant_id, 'mov_' || substr(id, 5), sku_id, location_id, 'reserve', 0, quantity, id, order_id, reference, created_at
                FROM inventory_reservations;
                """);

            // As before (FastOrderPath), but each level is changed by one conditional UPDATE, in SKU order ("C" collation, the
            // application's ordinal order): the UPDATE takes the row lock itself, so there is no separate FOR UPDATE pass (and no
            // lock record in the WAL per line); locks are still taken in SKU order, so two reservations cannot deadlock. A
            // concurrent change of the row makes the UPDATE re-check the condition on the new version (READ COMMITTED).
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION reserve_stock(p_tenant text, p_location text, p_skus text[], p_quantities integer[], p_now timestamptz)
                RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    wanted record;
                    available integer;
                BEGIN
                    FOR wanted IN
                        SELECT w.sku_id, w.quantity FROM unnest(p_skus, p_quantities) AS w (sku_id, quantity) ORDER BY w.sku_id COLLATE "C"
                    LOOP
                        UPDATE inventory_levels SET reserved = reserved + wanted.quantity, updated_at = p_now
                        WHERE tenant_id = p_tenant AND location_id = p_location AND sku_id = wanted.sku_id
                          AND on_hand - reserved >= wanted.quantity;
                        IF NOT FOUND THEN
                            SELECT l.on_hand - l.reserved INTO available FROM inventory_levels l
                            WHERE l.tenant_id = p_tenant AND l.location_id = p_location AND l.sku_id = wanted.sku_id;
                            RAISE EXCEPTION USING ERRCODE = 'OC409', MESSAGE = wanted.sku_id, HINT = COALESCE(available, 0)::text;
                        END IF;
                    END LOOP;
                END $$;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_records_expires_at",
                table: "idempotency_records",
                column: "expires_at")
                .Annotation("Npgsql:IndexMethod", "brin");

            migrationBuilder.CreateIndex(
                name: "ix_events_created_at",
                table: "events",
                column: "created_at")
                .Annotation("Npgsql:IndexMethod", "brin");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_idempotency_records_expires_at",
                table: "idempotency_records");

            migrationBuilder.DropIndex(
                name: "ix_events_created_at",
                table: "events");

            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION reserve_stock(p_tenant text, p_location text, p_skus text[], p_quantities integer[], p_now timestamptz)
                RETURNS void LANGUAGE plpgsql AS $$
                DECLARE
                    short record;
                BEGIN
                    PERFORM 1 FROM inventory_levels
                    WHERE tenant_id = p_tenant AND location_id = p_location AND sku_id = ANY (p_skus)
                    ORDER BY sku_id COLLATE "C"
                    FOR UPDATE;

                    SELECT w.sku_id, COALESCE(l.on_hand - l.reserved, 0) AS available INTO short
                    FROM unnest(p_skus, p_quantities) WITH ORDINALITY AS w (sku_id, quantity, position)
                    LEFT JOIN inventory_levels l ON l.tenant_id = p_tenant AND l.location_id = p_location AND l.sku_id = w.sku_id
                    WHERE l.sku_id IS NULL OR l.on_hand - l.reserved < w.quantity
                    ORDER BY w.position
                    LIMIT 1;
                    IF FOUND THEN
                        RAISE EXCEPTION USING ERRCODE = 'OC409', MESSAGE = short.sku_id, HINT = short.available::text;
                    END IF;

                    UPDATE inventory_levels l SET reserved = l.reserved + w.quantity, updated_at = p_now
                    FROM unnest(p_skus, p_quantities) AS w (sku_id, quantity)
                    WHERE l.tenant_id = p_tenant AND l.location_id = p_location AND l.sku_id = w.sku_id;
                END $$;
                """);

            migrationBuilder.Sql("""
                DROP VIEW inventory_movements;
                INSERT INTO inventory_movement_rows
                    (tenant_id, id, sku_id, location_id, reason, on_hand_delta, reserved_delta, reservation_id, order_id, note, created_at)
                SELECT tenant_id, 'mov_' || substr(id, 5), sku_id, location_id, 'reserve', 0, quantity, id, order_id, reference, created_at
                FROM inventory_reservations;
                ALTER TABLE inventory_movement_rows RENAME TO inventory_movements;
                ALTER TABLE inventory_movements RENAME CONSTRAINT pk_inventory_movement_rows TO pk_inventory_movements;
                ALTER INDEX ix_inventory_movement_rows_tenant_id_sku_id_location_id_id RENAME TO ix_inventory_movements_tenant_id_sku_id_location_id_id;
                """);

            migrationBuilder.CreateIndex(
                name: "ix_idempotency_records_expires_at",
                table: "idempotency_records",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_events_created_at",
                table: "events",
                column: "created_at");

            migrationBuilder.CreateIndex(
                name: "ix_events_tenant_id_subject_id_sequence",
                table: "events",
                columns: new[] { "tenant_id", "subject_id", "sequence" });
        }
    }
}
