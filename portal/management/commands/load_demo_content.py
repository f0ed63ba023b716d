"""Load the demo site: pages, calls, news and accounts. Running it twice changes nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from accounts.demo import (
    DEMO_OPENING_PASSPHRASE,
    enrol_demo_authenticator,
    enrol_demo_opening_key,
)
from accounts.models import Profile
from applications.demo import (
    demo_recovery_words,
    load_demo_committee,
    load_demo_grant_applications,
    load_demo_recovery_key,
    load_demo_submissions,
)
from news.demo import demo_articles
from news.models import ArticlePage, NewsIndexPage
from reviews.demo import load_demo_finished_qbs, load_demo_panel, load_demo_shortlist
from reviews.permissions import REVIEWERS_GROUP
from tenders.demo.calls import demo_calls, demo_two_stage_calls
from tenders.demo.swahili import ARTICLE_SLUG, CALL_CODE, load_swahili_versions
from tenders.models import CallCriterion, CallIndexPage, CallPage, HomePage, RequiredDocument

DEMO_ACCOUNTS = [
    # email, password, first, last, role
    ("admin@zabuni.local", "zabuni-admin-demo", "Amina", "Wanjiru", "admin"),
    ("staff@zabuni.local", "zabuni-staff-demo", "Otieno", "Kamau", "staff"),
    ("chair@zabuni.local", "zabuni-chair-demo", "Grace", "Njeri", "reviewer"),
    ("reviewer@zabuni.local", "zabuni-reviewer-demo", "Joseph", "Mwangi", "reviewer"),
    ("reviewer2@zabuni.local", "zabuni-reviewer-demo", "Halima", "Abdi", "reviewer"),
    ("applicant@zabuni.local", "zabuni-applicant-demo", "Wambui", "Achieng", "applicant"),
    ("consultancy@zabuni.local", "zabuni-applicant-demo", "Peter", "Ouma", "applicant"),
    ("mshauri@zabuni.local", "zabuni-applicant-demo", "Fatuma", "Said", "applicant"),
    ("hakidata@zabuni.local", "zabuni-applicant-demo", "Kevin", "Kiprono", "applicant"),
    ("committee1@zabuni.local", "zabuni-committee-demo", "Wanjiku", "Mutua", "committee"),
    ("committee2@zabuni.local", "zabuni-committee-demo", "Baraka", "Omondi", "committee"),
]
DEMO_ORGANISATIONS = {
    "consultancy@zabuni.local": "Ouma & Partners Research",
    "mshauri@zabuni.local": "Mshauri Research Associates",
    "hakidata@zabuni.local": "Haki Data Collective",
}
CLOSED_DEMO_CALL = "DC-CFC-2026-003"
QBS_DEMO_CALL = "DC-CFC-2026-007"
# The open grant call with an application form, two applications and a draft.
GRANT_FORM_DEMO_CALL = "DC-GRT-2026-002"
SEALED_DEMO_CALL = "DC-CFC-2026-006"
DEMO_COMMITTEE = ["staff@zabuni.local", "committee1@zabuni.local", "committee2@zabuni.local"]


class Command(BaseCommand):
    help = "Load demo pages, calls, news and accounts. Idempotent."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo content is for laptops and test machines, not production.")
        with transaction.atomic():
            created = self.load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready ({created} new objects)."
                if created
                else "Demo content already loaded; nothing changed."
            )
        )
        self.stdout.write("Demo accounts (email / password):")
        for email, password, _first, _last, role in DEMO_ACCOUNTS:
            self.stdout.write(f"  {role:<10} {email:<28} {password}")
        self.stdout.write(
            "Staff, the chair, reviewers and the committee sign in with a second factor. "
            "For the code their authenticator app would show, run for example: "
            "DJANGO_ENV=development .venv/bin/python manage.py demo_totp chair@zabuni.local"
        )
        self.stdout.write("Admin: http://127.0.0.1:8000/admin/")
        self.stdout.write(
            f"Opening walk-through ({SEALED_DEMO_CALL}, closed and sealed): its opening "
            f"committee ({', '.join(DEMO_COMMITTEE)}) each confirm under Submissions in the "
            "admin, re-entering their password, a code (demo_totp) and the passphrase of their "
            "opening key; the third confirmation rebuilds the call's key and opens the call. "
            "The committee's opening keys (on each one's Security page) are locked with the "
            f"demo passphrase '{DEMO_OPENING_PASSPHRASE}'. Every demo call's files, prices and "
            "answers are encrypted to its key (docs/security.md). The demo's recovery key, which "
            "stands in for a member who lost their passphrase (manage.py "
            f"opening_recovery_share <call>), is: {demo_recovery_words()}"
        )
        self.stdout.write(
            f"Evaluation walk-through ({CLOSED_DEMO_CALL}, opened and with its panel): "
            "reviewer@zabuni.local declares, scores and submits at /bids/reviews/; "
            "chair@zabuni.local has two reviews left and the chair's ranking; "
            "staff@zabuni.local follows progress under Evaluations in the admin."
        )
        self.stdout.write(
            f"Quality-based selection ({QBS_DEMO_CALL}, scored and locked): the chair's "
            "ranking shows only the top firm's price; if negotiation with it fails, the "
            "chair records why and the next firm's price opens. The evaluation report is "
            "linked from the ranking."
        )

    def load(self) -> int:
        self.created = 0
        self.load_accounts()
        home = self.load_home()
        calls = self.child(
            home,
            CallIndexPage,
            slug="calls",
            title="Calls for proposals",
            intro="Calls for consultancy and grant calls from the Coalition. "
            "Deadlines are in East Africa Time (EAT).",
        )
        news = self.child(
            home,
            NewsIndexPage,
            slug="news",
            title="News and publications",
            intro="Press releases, statements, reports, updates and urgent appeals.",
        )
        now = timezone.now().replace(second=0, microsecond=0)
        for spec in demo_calls(now):
            self.load_call(calls, spec)
        for spec in demo_articles(timezone.localdate()):
            if not ArticlePage.objects.filter(slug=spec["slug"]).exists():
                self.add(news, ArticlePage(**spec))
        self.created += load_swahili_versions(
            home=home,
            call_index=calls,
            news_index=news,
            call=CallPage.objects.originals().get(reference_code=CALL_CODE),
            article=ArticlePage.objects.get(
                slug=ARTICLE_SLUG, locale__language_code=settings.LANGUAGE_CODE
            ),
        )
        users = {u.email: u for u in get_user_model().objects.all()}
        closed_call = CallPage.objects.get(reference_code=CLOSED_DEMO_CALL)
        self.created += load_demo_submissions(closed_call, users)
        self.created += load_demo_panel(closed_call, users, staff=users["staff@zabuni.local"])
        qbs_call = CallPage.objects.get(reference_code=QBS_DEMO_CALL)
        self.created += load_demo_submissions(qbs_call, users)
        self.created += load_demo_finished_qbs(qbs_call, users, staff=users["staff@zabuni.local"])
        sealed_call = CallPage.objects.get(reference_code=SEALED_DEMO_CALL)
        self.created += load_demo_submissions(sealed_call, users)
        self.created += load_demo_committee(sealed_call, [users[e] for e in DEMO_COMMITTEE])
        grant_call = CallPage.objects.originals().get(reference_code=GRANT_FORM_DEMO_CALL)
        self.created += load_demo_grant_applications(grant_call, users)
        # A two-stage consultancy: the expression of interest's shortlist, then the
        # request for proposals, published once there is a shortlist to invite.
        eoi_spec, rfp_spec = demo_two_stage_calls(now)
        self.load_call(calls, eoi_spec)
        eoi = CallPage.objects.originals().get(reference_code=eoi_spec["reference_code"])
        self.created += load_demo_submissions(eoi, users)
        self.created += load_demo_shortlist(eoi, users, staff=users["staff@zabuni.local"])
        self.load_call(calls, {**rfp_spec, "first_stage": eoi})
        return self.created

    def load_accounts(self):
        User = get_user_model()
        reviewers, _ = Group.objects.get_or_create(name=REVIEWERS_GROUP)
        for email, password, first, last, role in DEMO_ACCOUNTS:
            if User.objects.filter(email=email).exists():
                continue
            user = User(
                email=email,
                first_name=first,
                last_name=last,
                is_staff=role in ("admin", "staff", "committee"),
                is_superuser=role == "admin",
            )
            user.set_password(password)
            user.save()
            self.created += 1
            organisation = DEMO_ORGANISATIONS.get(email)
            Profile.objects.create(
                user=user,
                applicant_type="organisation" if organisation else "individual",
                legal_name=organisation or f"{first} {last}",
                email_verified_at=timezone.now(),
            )
            if role == "reviewer":
                user.groups.add(reviewers)
            if role in ("staff", "committee"):
                user.groups.add(Group.objects.get(name="Editors"))
        for email, _password, _first, _last, role in DEMO_ACCOUNTS:
            if role != "applicant":
                user = User.objects.get(email=email)
                self.created += enrol_demo_authenticator(user)
        for email in DEMO_COMMITTEE:
            self.created += enrol_demo_opening_key(User.objects.get(email=email))
        self.created += load_demo_recovery_key()

    def load_home(self) -> HomePage:
        home = HomePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE).first()
        if home:
            return home
        root = Page.get_first_root_node()
        # Wagtail's first migration leaves a placeholder page; the home page replaces it.
        for placeholder in root.get_children().exact_type(Page):
            placeholder.delete()
        home = HomePage(
            title="Zabuni",
            slug="home",
            hero_title="Calls for consultancy and grants for human rights defenders",
            intro="Bid for consultancies and apply for grants from the Coalition. Proposals "
            "stay sealed until the deadline, and every deadline is kept to the second.",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={
                "hostname": "localhost",
                "port": 80,
                "root_page": home,
                "site_name": settings.ORGANISATION_NAME,
            },
        )
        self.created += 1
        return home

    def child(self, parent, model, *, slug, **fields):
        existing = model.objects.filter(
            slug=slug, locale__language_code=settings.LANGUAGE_CODE
        ).first()
        if existing:
            return existing
        return self.add(parent, model(slug=slug, **fields))

    def add(self, parent, page):
        parent.add_child(instance=page)
        page.save_revision().publish()
        self.created += 1
        return page

    def load_call(self, index, spec):
        spec = dict(spec)
        criteria = spec.pop("criteria")
        documents = spec.pop("documents")
        if CallPage.objects.filter(reference_code=spec["reference_code"]).exists():
            return
        call = CallPage(**spec)
        # sort_order set, as the admin's inline panel sets it: without it the
        # criteria come back in whatever order PostgreSQL finds them, and the
        # demo reviews (given in the call's order) would land on the wrong ones.
        call.criteria = [
            CallCriterion(title=title, description=description, max_points=points, sort_order=n)
            for n, (title, description, points) in enumerate(criteria)
        ]
        call.required_documents = [
            RequiredDocument(
                name=name,
                envelope=envelope,
                is_required=required,
                accepted_types=types,
                max_size_mb=size,
                sort_order=n,
            )
            for n, (name, envelope, required, types, size) in enumerate(documents)
            if call.kind == "consultancy" or envelope == "technical"
        ]
        # As staff must: the committee is set up, each member holding an opening key,
        # before the call is published and gets its key.
        call.live = False
        index.add_child(instance=call)
        committee = get_user_model().objects.filter(email__in=DEMO_COMMITTEE)
        self.created += load_demo_committee(call, list(committee)) + 1
        call.save_revision().publish()
