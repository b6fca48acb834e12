"""Every room's models, imported once so that Alembic and tests see the whole schema."""

from learning.accounts import contractor_models as contractors  # noqa: F401
from learning.accounts import models as accounts  # noqa: F401
from learning.announcements import models as announcements  # noqa: F401
from learning.audit import models as audit  # noqa: F401
from learning.campaigns import models as campaigns  # noqa: F401
from learning.campaigns import pledge_models as campaign_pledges  # noqa: F401
from learning.courses import models as courses  # noqa: F401
from learning.db import Base
from learning.desk import models as desk  # noqa: F401
from learning.inspections import models as inspections  # noqa: F401
from learning.notify import models as notify  # noqa: F401
from learning.pledges import models as pledges  # noqa: F401
from learning.quizzes import models as quizzes  # noqa: F401
from learning.rules import models as rules  # noqa: F401
from learning.search import models as search  # noqa: F401
from learning.submissions import FormSubmission  # noqa: F401
from learning.training import models as training  # noqa: F401

metadata = Base.metadata
