import type { MigrationInterface, QueryRunner } from 'typeorm';

export class WarrantyAndCertificateNotices1795444532749 implements MigrationInterface {
  name = 'WarrantyAndCertificateNotices1795444532749';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "warranty_items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid, "code" character varying(40) NOT NULL, "name" character varying(100) NOT NULL, "basis" character varying(20) NOT NULL, "amount" smallint NOT NULL, "months_ahead" smallint NOT NULL DEFAULT '2', "active" boolean NOT NULL DEFAULT true, "source" character varying(200), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_warranty_items_months_ahead" CHECK ("months_ahead" >= 0 AND "months_ahead" <= 24), CONSTRAINT "ck_warranty_items_amount" CHECK ("amount" > 0 AND "amount" <= 600), CONSTRAINT "ck_warranty_items_basis" CHECK ("basis" IN ('months', 'heating_seasons', 'cooling_seasons')), CONSTRAINT "PK_8be2c277cca827d5bcced8b4a42" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_warranty_items_project_code" ON "warranty_items" ("project_id", "code") WHERE "project_id" IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "uq_warranty_items_default_code" ON "warranty_items" ("code") WHERE "project_id" IS NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "warranty_seasons" ("city" character varying(50) NOT NULL, "heating_start" character(5), "heating_end" character(5), "cooling_start" character(5), "cooling_end" character(5), CONSTRAINT "ck_warranty_seasons_dates" CHECK (("heating_start" IS NULL) = ("heating_end" IS NULL) AND ("cooling_start" IS NULL) = ("cooling_end" IS NULL)), CONSTRAINT "PK_743fc688429bc7ddfccbdad6046" PRIMARY KEY ("city"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "warranty_notices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "unit_id" uuid NOT NULL, "project_id" uuid NOT NULL, "item_code" character varying(40) NOT NULL, "item_name" character varying(100) NOT NULL, "handover_date" date NOT NULL, "expires_on" date NOT NULL, "due_on" date NOT NULL, "status" character varying(20) NOT NULL DEFAULT 'notified', "late" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_warranty_notices_unit_item_expiry" UNIQUE ("unit_id", "item_code", "expires_on"), CONSTRAINT "ck_warranty_notices_status" CHECK ("status" IN ('notified', 'superseded')), CONSTRAINT "PK_ce9c6805df7b75cc1df05837699" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_warranty_notices_open" ON "warranty_notices" ("expires_on") WHERE "status" = 'notified'`,
    );
    await queryRunner.query(
      `CREATE INDEX "ix_warranty_notices_project_due" ON "warranty_notices" ("project_id", "due_on") `,
    );
    await queryRunner.query(
      `CREATE TABLE "warranty_rechecks" ("unit_id" uuid NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_731c154fddd77062006f11ccc17" PRIMARY KEY ("unit_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "scan_states" ("task" character varying(60) NOT NULL, "scanned_through" date NOT NULL, "last_success_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_4802d61381890ce134f1d9daef7" PRIMARY KEY ("task"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "certificate_batches" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "project_id" uuid NOT NULL, "reference" character varying(60), "place" character varying(200) NOT NULL, "hours" character varying(200) NOT NULL, "documents" text array NOT NULL, "from_date" date NOT NULL, "deadline" date NOT NULL, "reminder_after_days" smallint NOT NULL DEFAULT '30', "final_reminder_days_before" smallint NOT NULL DEFAULT '7', "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "ck_certificate_batches_reminders" CHECK ("reminder_after_days" > 0 AND "final_reminder_days_before" >= 0), CONSTRAINT "ck_certificate_batches_dates" CHECK ("deadline" >= "from_date"), CONSTRAINT "PK_9358f0ebfa17fe9e85bae1822d3" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "certificate_batch_units" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "batch_id" uuid NOT NULL, "unit_id" uuid NOT NULL, CONSTRAINT "uq_certificate_batch_units" UNIQUE ("batch_id", "unit_id"), CONSTRAINT "PK_822068ad988bc8dd86b27960594" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "ix_certificate_batch_units_unit" ON "certificate_batch_units" ("unit_id") `);
    await queryRunner.query(
      `CREATE TABLE "certificate_notices" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "batch_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "owner_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_certificate_notices" UNIQUE ("batch_id", "unit_id", "owner_id"), CONSTRAINT "PK_3ed921012c471a8298054a2129a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "certificate_collections" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "batch_id" uuid NOT NULL, "unit_id" uuid NOT NULL, "collected_by" character varying(100) NOT NULL, "relation" character varying(20) NOT NULL, "id_type" character varying(20) NOT NULL, "id_number_masked" character varying(40) NOT NULL, "collected_on" date NOT NULL, "recorded_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_certificate_collections_batch_unit" UNIQUE ("batch_id", "unit_id"), CONSTRAINT "ck_certificate_collections_masked" CHECK ("id_number_masked" LIKE '%*%'), CONSTRAINT "ck_certificate_collections_relation" CHECK ("relation" IN ('self', 'spouse', 'relative', 'agent', 'other')), CONSTRAINT "ck_certificate_collections_id_type" CHECK ("id_type" IN ('resident_id', 'passport', 'hk_macao_permit', 'taiwan_permit', 'other')), CONSTRAINT "PK_a09a07f77273a57ae5a502cafbb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "warranty_items" ADD CONSTRAINT "fk_warranty_items_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "warranty_notices" ADD CONSTRAINT "fk_warranty_notices_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "warranty_notices" ADD CONSTRAINT "fk_warranty_notices_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "warranty_rechecks" ADD CONSTRAINT "fk_warranty_rechecks_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_batches" ADD CONSTRAINT "fk_certificate_batches_project" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_batches" ADD CONSTRAINT "fk_certificate_batches_created_by" FOREIGN KEY ("created_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_batch_units" ADD CONSTRAINT "fk_certificate_batch_units_batch" FOREIGN KEY ("batch_id") REFERENCES "certificate_batches"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_batch_units" ADD CONSTRAINT "fk_certificate_batch_units_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_notices" ADD CONSTRAINT "fk_certificate_notices_batch" FOREIGN KEY ("batch_id") REFERENCES "certificate_batches"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_notices" ADD CONSTRAINT "fk_certificate_notices_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_notices" ADD CONSTRAINT "fk_certificate_notices_owner" FOREIGN KEY ("owner_id") REFERENCES "owners"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_collections" ADD CONSTRAINT "fk_certificate_collections_batch" FOREIGN KEY ("batch_id") REFERENCES "certificate_batches"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_collections" ADD CONSTRAINT "fk_certificate_collections_unit" FOREIGN KEY ("unit_id") REFERENCES "units"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "certificate_collections" ADD CONSTRAINT "fk_certificate_collections_recorded_by" FOREIGN KEY ("recorded_by_id") REFERENCES "staff"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    // --- by hand: the expiry rule, the handover-change trigger and the default catalogue ---
    // The expiry of one item for one handover date: h + N months, or the last day of the Nth full season
    // that starts on or after h (a season under way at handover does not count). Used by the scan,
    // the preview and the rechecks, so they cannot disagree.
    await queryRunner.query(`CREATE FUNCTION warranty_expiry(h date, basis text, amount int, season_start text, season_end text) RETURNS date
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
        SELECT CASE WHEN basis = 'months' THEN (h + make_interval(months => amount))::date
        ELSE make_date(
          extract(year FROM h)::int
            + (make_date(extract(year FROM h)::int, substr(season_start, 1, 2)::int, substr(season_start, 4, 2)::int) < h)::int
            + amount - 1 + (season_end < season_start)::int,
          substr(season_end, 1, 2)::int, substr(season_end, 4, 2)::int)
        END
      $fn$`);
    await queryRunner.query(`CREATE FUNCTION warranty_recheck_unit() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO warranty_rechecks (unit_id) VALUES (NEW.id) ON CONFLICT (unit_id) DO UPDATE SET changed_at = now();
        RETURN NULL;
      END $fn$`);
    await queryRunner.query(`CREATE TRIGGER trg_units_warranty_recheck AFTER UPDATE OF handover_date ON units FOR EACH ROW
      WHEN (OLD.handover_date IS DISTINCT FROM NEW.handover_date) EXECUTE FUNCTION warranty_recheck_unit()`);
    // A new owner (a sale, a co-owner added): the next scan tells them about the unit's open notices.
    await queryRunner.query(`CREATE FUNCTION warranty_recheck_owner_unit() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO warranty_rechecks (unit_id) VALUES (NEW.unit_id) ON CONFLICT (unit_id) DO UPDATE SET changed_at = now();
        RETURN NULL;
      END $fn$`);
    await queryRunner.query(`CREATE TRIGGER trg_owner_units_warranty_recheck AFTER INSERT OR UPDATE OF until, unit_id ON owner_units FOR EACH ROW
      WHEN (NEW.until IS NULL) EXECUTE FUNCTION warranty_recheck_owner_unit()`);
    await queryRunner.query(`INSERT INTO warranty_items (project_id, code, name, basis, amount, source) VALUES
      (NULL, 'roof_waterproofing', '屋面防水', 'months', 60, '建设工程质量管理条例 第40条(二)'),
      (NULL, 'wet_room_waterproofing', '卫生间、房间防渗漏', 'months', 60, '建设工程质量管理条例 第40条(二)'),
      (NULL, 'external_wall_waterproofing', '外墙面防渗漏', 'months', 60, '建设工程质量管理条例 第40条(二)'),
      (NULL, 'heating', '供热系统', 'heating_seasons', 2, '建设工程质量管理条例 第40条(三)'),
      (NULL, 'cooling', '供冷系统', 'cooling_seasons', 2, '建设工程质量管理条例 第40条(三)'),
      (NULL, 'electrical', '电气管线', 'months', 24, '建设工程质量管理条例 第40条(四)'),
      (NULL, 'water_supply_drainage', '给排水管道', 'months', 24, '建设工程质量管理条例 第40条(四)'),
      (NULL, 'equipment_installation', '设备安装', 'months', 24, '建设工程质量管理条例 第40条(四)'),
      (NULL, 'decoration', '装修工程', 'months', 24, '建设工程质量管理条例 第40条(四)'),
      (NULL, 'sanitary_ware', '卫生洁具', 'months', 12, '商品住宅实行住宅质量保证书和住宅使用说明书制度的规定 第5条'),
      (NULL, 'doors_windows', '门窗翘裂、五金件', 'months', 12, '商品住宅实行住宅质量保证书和住宅使用说明书制度的规定 第5条'),
      (NULL, 'lamps_switches', '灯具、电器开关', 'months', 6, '商品住宅实行住宅质量保证书和住宅使用说明书制度的规定 第5条')`);
    await queryRunner.query(`INSERT INTO warranty_seasons (city, heating_start, heating_end, cooling_start, cooling_end) VALUES
      ('*', '11-15', '03-15', '05-15', '09-30'),
      ('北京', '11-15', '03-15', '05-15', '09-30'),
      ('天津', '11-15', '03-15', '05-15', '09-30'),
      ('沈阳', '11-01', '03-31', '06-01', '08-31'),
      ('哈尔滨', '10-20', '04-20', '06-15', '08-31'),
      ('深圳', NULL, NULL, '04-15', '10-31'),
      ('广州', NULL, NULL, '04-15', '10-31')`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER trg_owner_units_warranty_recheck ON owner_units`);
    await queryRunner.query(`DROP FUNCTION warranty_recheck_owner_unit()`);
    await queryRunner.query(`DROP TRIGGER trg_units_warranty_recheck ON units`);
    await queryRunner.query(`DROP FUNCTION warranty_recheck_unit()`);
    await queryRunner.query(`DROP FUNCTION warranty_expiry(date, text, int, text, text)`);
    await queryRunner.query(
      `ALTER TABLE "certificate_collections" DROP CONSTRAINT "fk_certificate_collections_recorded_by"`,
    );
    await queryRunner.query(`ALTER TABLE "certificate_collections" DROP CONSTRAINT "fk_certificate_collections_unit"`);
    await queryRunner.query(`ALTER TABLE "certificate_collections" DROP CONSTRAINT "fk_certificate_collections_batch"`);
    await queryRunner.query(`ALTER TABLE "certificate_notices" DROP CONSTRAINT "fk_certificate_notices_owner"`);
    await queryRunner.query(`ALTER TABLE "certificate_notices" DROP CONSTRAINT "fk_certificate_notices_unit"`);
    await queryRunner.query(`ALTER TABLE "certificate_notices" DROP CONSTRAINT "fk_certificate_notices_batch"`);
    await queryRunner.query(`ALTER TABLE "certificate_batch_units" DROP CONSTRAINT "fk_certificate_batch_units_unit"`);
    await queryRunner.query(`ALTER TABLE "certificate_batch_units" DROP CONSTRAINT "fk_certificate_batch_units_batch"`);
    await queryRunner.query(`ALTER TABLE "certificate_batches" DROP CONSTRAINT "fk_certificate_batches_created_by"`);
    await queryRunner.query(`ALTER TABLE "certificate_batches" DROP CONSTRAINT "fk_certificate_batches_project"`);
    await queryRunner.query(`ALTER TABLE "warranty_rechecks" DROP CONSTRAINT "fk_warranty_rechecks_unit"`);
    await queryRunner.query(`ALTER TABLE "warranty_notices" DROP CONSTRAINT "fk_warranty_notices_project"`);
    await queryRunner.query(`ALTER TABLE "warranty_notices" DROP CONSTRAINT "fk_warranty_notices_unit"`);
    await queryRunner.query(`ALTER TABLE "warranty_items" DROP CONSTRAINT "fk_warranty_items_project"`);
    await queryRunner.query(`DROP TABLE "certificate_collections"`);
    await queryRunner.query(`DROP TABLE "certificate_notices"`);
    await queryRunner.query(`DROP INDEX "public"."ix_certificate_batch_units_unit"`);
    await queryRunner.query(`DROP TABLE "certificate_batch_units"`);
    await queryRunner.query(`DROP TABLE "certificate_batches"`);
    await queryRunner.query(`DROP TABLE "scan_states"`);
    await queryRunner.query(`DROP TABLE "warranty_rechecks"`);
    await queryRunner.query(`DROP INDEX "public"."ix_warranty_notices_project_due"`);
    await queryRunner.query(`DROP INDEX "public"."ix_warranty_notices_open"`);
    await queryRunner.query(`DROP TABLE "warranty_notices"`);
    await queryRunner.query(`DROP TABLE "warranty_seasons"`);
    await queryRunner.query(`DROP INDEX "public"."uq_warranty_items_default_code"`);
    await queryRunner.query(`DROP INDEX "public"."uq_warranty_items_project_code"`);
    await queryRunner.query(`DROP TABLE "warranty_items"`);
  }
}
