"""Load the demo contest (once) and print how to use it.

Every run gives the demo quizmaster a fresh password and prints it with the join code.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from rooms import services
from rooms.models import Contest, RoundKind
from rooms.question_types import question_definition_validate
from scoring.services import answer_submit, mystery_open
from teams.services import claim_next, team_join

DEMO_TITLE = "Demo Quiz Night"
DEMO_USER = "quizmaster"

LIVE_QUESTIONS = [
    {
        "type": "choice",
        "prompt": "Which planet is known as the Red Planet?",
        "choices": ["Venus", "Mars", "Jupiter", "Mercury"],
        "answer": [1],
        "points": 100,
        "difficulty": "easy",
        "time_limit_s": 20,
    },
    {"type": "numeric", "prompt": "How many minutes are in a day?", "answer": 1440, "points": 100, "time_limit_s": 30},
    {
        "type": "text",
        "prompt": "What is the capital of Australia?",
        "answer": ["Canberra"],
        "points": 100,
        "time_limit_s": 30,
    },
]

POOL_QUESTIONS = [
    {
        "type": "choice",
        "prompt": "Which of these are prime numbers?",
        "choices": ["2", "9", "11", "15"],
        "answer": [0, 2],
        "multiple": True,
        "points": 150,
        "difficulty": "medium",
    },
    {
        "type": "numeric",
        "prompt": "What is pi to two decimal places?",
        "answer": 3.14,
        "tolerance": 0.005,
        "points": 100,
        "difficulty": "easy",
    },
    {
        "type": "text",
        "prompt": "Which element has the chemical symbol Fe?",
        "answer": ["Iron"],
        "points": 100,
        "difficulty": "easy",
    },
    {
        "type": "text",
        "prompt": "Who wrote 'Pride and Prejudice'?",
        "answer": ["Jane Austen", "Austen"],
        "points": 100,
        "difficulty": "easy",
    },
    {
        "type": "numeric",
        "prompt": "In what year did the Berlin Wall fall?",
        "answer": 1989,
        "points": 150,
        "difficulty": "medium",
    },
    {
        "type": "choice",
        "prompt": "Which ocean is the largest?",
        "choices": ["Atlantic", "Indian", "Pacific"],
        "answer": [2],
        "points": 100,
        "difficulty": "easy",
    },
    {
        "type": "text",
        "prompt": "What is the largest mammal?",
        "answer": ["Blue whale"],
        "points": 100,
        "difficulty": "easy",
    },
    {
        "type": "numeric",
        "prompt": "How many bones are in the adult human body?",
        "answer": 206,
        "points": 200,
        "difficulty": "hard",
    },
    {
        "type": "choice",
        "prompt": "Which language has the most native speakers?",
        "choices": ["English", "Spanish", "Mandarin Chinese", "Hindi"],
        "answer": [2],
        "points": 100,
    },
    {
        "type": "text",
        "prompt": "Which gas do plants absorb from the air?",
        "answer": ["Carbon dioxide", "CO2"],
        "points": 100,
        "difficulty": "easy",
    },
]

MYSTERY_QUESTIONS = [
    {
        "type": "text",
        "prompt": "What is the smallest country in the world by area?",
        "answer": ["Vatican City"],
        "difficulty": "easy",
        "mystery": True,
    },
    {
        "type": "numeric",
        "prompt": "How many keys does a standard piano have?",
        "answer": 88,
        "difficulty": "easy",
        "mystery": True,
    },
    {
        "type": "text",
        "prompt": "Who painted 'The Garden of Earthly Delights'?",
        "answer": ["Hieronymus Bosch", "Bosch"],
        "difficulty": "medium",
        "mystery": True,
    },
    {
        "type": "numeric",
        "prompt": "At what temperature in °C does water boil at sea level?",
        "answer": 100,
        "difficulty": "medium",
        "mystery": True,
    },
    {
        "type": "numeric",
        "prompt": "What is the speed of light in km/s (to the nearest thousand)?",
        "answer": 300000,
        "tolerance": 1000,
        "difficulty": "hard",
        "mystery": True,
    },
    {
        "type": "text",
        "prompt": "Which mathematician proved Fermat's Last Theorem?",
        "answer": ["Andrew Wiles"],
        "difficulty": "hard",
        "mystery": True,
    },
]

TEAMS = [
    ("Quizzly Bears", ["Ann", "Bo"]),
    ("The Know-It-Owls", ["Cy", "Di"]),
    ("Trivia Newton-John", ["Ed"]),
    ("Les Quizerables", ["Fay", "Gus", "Hal"]),
]


class Command(BaseCommand):
    help = "Load the demo contest (once) and print the quizmaster's credentials and the join code."

    def handle(self, *args: Any, **options: Any) -> None:
        user, _ = get_user_model().objects.get_or_create(
            username=DEMO_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        password = secrets.token_urlsafe(9)
        user.set_password(password)
        user.save()
        contest = Contest.objects.filter(owner=user, title=DEMO_TITLE).first() or self._build(user)
        base = "http://127.0.0.1:8000"
        self.stdout.write(self.style.SUCCESS("\nDemo contest ready."))
        self.stdout.write(f"  Quizmaster login : {DEMO_USER} / {password}   (admin: {base}/admin/)")
        self.stdout.write(f"  Join code        : {contest.display_code}")
        self.stdout.write(f"  Leaderboard      : {base}/api/v1/public/{contest.code}/leaderboard")
        self.stdout.write(f"  API docs         : {base}/api/docs\n")

    @transaction.atomic
    def _build(self, user: Any) -> Contest:
        contest = services.contest_create(owner=user, title=DEMO_TITLE, settings={"starting_points": 500})
        live = services.round_create(contest=contest, kind=RoundKind.LIVE, title="Warm-up")
        services.questions_create(round_=live, definitions=[question_definition_validate(q) for q in LIVE_QUESTIONS])
        pool = services.round_create(
            contest=contest,
            kind=RoundKind.POOL,
            title="Pub Pool",
            exclusive=True,
            claim_limit=1,
            mystery_boxes=[
                {"difficulty": "easy", "cost": 50, "reward": 150},
                {"difficulty": "medium", "cost": 100, "reward": 300},
                {"difficulty": "hard", "cost": 200, "reward": 600},
            ],
        )
        definitions = [question_definition_validate(q) for q in POOL_QUESTIONS + MYSTERY_QUESTIONS]
        services.questions_create(round_=pool, definitions=definitions)
        services.contest_transition(contest=contest, action="open")
        teams = [team_join(code=contest.code, team_name=name, members=members)[0] for name, members in TEAMS]
        services.contest_transition(contest=contest, action="start")
        services.round_transition(round_=pool, action="start")
        self._play(teams=teams, pool_id=pool.pk)
        return contest

    def _play(self, *, teams: list[Any], pool_id: int) -> None:
        """A few moves so that the board has some shape: two right answers, one wrong, a box."""
        definitions = {q["prompt"]: q for q in POOL_QUESTIONS}
        for index, team in enumerate(teams[:3]):
            claim = claim_next(team=team, round_id=pool_id)
            definition = definitions[claim.question.prompt]
            given = _wrong_answer(definition) if index == 1 else _right_answer(definition)
            answer_submit(team=team, question_id=claim.question_id, payload=given, idempotency_key=f"demo-{team.pk}")
        mystery_open(team=teams[0], round_id=pool_id, difficulty="easy")


def _right_answer(definition: dict[str, Any]) -> Any:
    answer = definition["answer"]
    return answer[0] if definition["type"] == "text" else answer


def _wrong_answer(definition: dict[str, Any]) -> Any:
    if definition["type"] == "choice":
        return [next(i for i in range(len(definition["choices"])) if i not in definition["answer"])]
    return "no idea" if definition["type"] == "text" else -1
