"""Every model module, imported so Alembic's autogenerate sees all tables."""
from forum.models.consultation import (  # noqa: F401
    ConsultationDraft, ConsultationDraftPhoto, ConsultationMessage, ConsultationPhoto, ConsultationRequest,
    ConsultationStatus,
)
from forum.models.idempotency import IdempotencyKey, IdempotencyStatus  # noqa: F401
from forum.models.moderation import (  # noqa: F401
    BanRemoval, Flag, FlagReason, FlagStatus, FlagTarget, ModerationLog,
)
from forum.models.qa import (  # noqa: F401
    Answer, AnswerReview, Follow, FollowUp, HelpfulVote, Invitation, Question, QuestionStatus, SearchDocument,
    SearchTerm, Verdict, include_in_autogenerate, question_topics, question_treatments,
)
from forum.models.reference import (  # noqa: F401
    Article, ArticleStatus, Topic, TopicKind, Treatment, article_related, article_topics, article_treatments,
    treatment_topics,
)
from forum.models.medical_review import MedicalReview, MedicalReviewStatus  # noqa: F401
from forum.models.notification import MailOptOut, Notification, OutboxMail  # noqa: F401
from forum.models.following import (  # noqa: F401
    Channel, DigestFrequency, DigestSetting, FollowKind, NotificationSetting, Subscription)
from forum.models.pages import CONTACT_TOPIC_LABELS, ContactMessage, ContactTopic, SitePage  # noqa: F401
from forum.models.review import QuestionPhoto, Review, ReviewPhoto, ReviewStatus, WorthIt  # noqa: F401
from forum.models.site import Aggregate  # noqa: F401
from forum.models.user import (  # noqa: F401
    ApiToken, AuthToken, AuthTokenPurpose, Credential, CredentialKind, DoctorLanguage, DoctorProfile, RecoveryCode,
    Role, Specialty, User, UserStatus, VerificationStatus,
)
from forum.models.revision import Revision  # noqa: F401
from forum.models.translation import ContentTranslation  # noqa: F401
