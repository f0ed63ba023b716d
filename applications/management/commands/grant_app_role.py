"""Give the application's database role its privileges (PostgreSQL), as the owner."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from applications.db_roles import RoleRefused, grant_app_role


class Command(BaseCommand):
    help = (
        "Run as the database's owner after migrate: grant ROLE (the role web, worker and "
        "beat log in as) SELECT, INSERT, UPDATE, DELETE on the app's tables and USAGE on "
        "its sequences, but on the audit trail only SELECT, INSERT and the linking of an "
        "event into the chain. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="The application's login role (not the owner).")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "Only PostgreSQL has roles to grant; on SQLite whoever can write the "
                "file owns the trail, and the triggers and checkpoints are what hold."
            )
        try:
            with transaction.atomic():
                statements = grant_app_role(role)
        except RoleRefused as refusal:
            raise CommandError(str(refusal)) from None
        for statement in statements:
            self.stdout.write(statement)
        self.stdout.write(f'OK: "{role}" has the application\'s privileges, and no more.')
