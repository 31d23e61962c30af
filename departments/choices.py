from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    OFFICE = "office", _("办公室/办")
    DISTRICT_BUREAU = "district_bureau", _("区直部门")
    CITY_BRANCH = "city_branch", _("市直部门派驻分局")
    PARTY_ORGAN = "party_organ", _("党群机关")
    SERVICE_HALL = "service_hall", _("服务大厅")
    BASE = "base", _("园区/基地")
    ENTERPRISE = "enterprise", _("国有企业")
    OTHER = "other", _("其他")


class DepartmentLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    CITY = "city", _("市级")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    """What a person does in Duban; one person may hold several memberships."""

    LIAISON = "liaison", _("联络员")
    HEAD = "head", _("部门负责人")
    LEAD_OFFICE = "lead_office", _("牵头督办办公室")
    MANAGER = "manager", _("管理领导")


class UnitMatch(models.TextChoices):
    """How a unit name from a document matches what Duban knows (shown before an import)."""

    DEPARTMENT = "department", _("现有部门")
    ALIAS = "alias", _("现有别名")
    GROUP = "group", _("现有部门组")
    NEW_DEPARTMENT = "new_department", _("新部门")
    NEW_GROUP = "new_group", _("新部门组")
    PROPOSED_ALIAS = "proposed_alias", _("新部门（建议设为别名）")
    ACCEPTED_ALIAS = "accepted_alias", _("设为别名")


class PersonAction(models.TextChoices):
    """What happened to a person (the roster's history, never deleted)."""

    CREATED = "created", _("新增人员")
    CHANGED = "changed", _("信息变更")
    ROLE_ADDED = "role_added", _("新增角色")
    ROLE_REMOVED = "role_removed", _("撤销角色")
    HANDOVER_OUT = "handover_out", _("移交职责")
    HANDOVER_IN = "handover_in", _("接任职责")
    DEACTIVATED = "deactivated", _("停用（离开）")
    REACTIVATED = "reactivated", _("重新启用")
    INVITED = "invited", _("发送邀请")
    ACTIVATED = "activated", _("激活账号")
