"""Reference tables of the synthetic population: districts, industries, sector profiles, lenders,
authorities and the word lists names and titles are built from.

Plain data only, so the Django app can load :data:`DISTRICTS` as regions and the docs can quote
the sector profiles. Weights are relative; the generator normalises them.
"""

from __future__ import annotations

from typing import NamedTuple


class District(NamedTuple):
    code: str  # GB/T 2260
    name_zh: str
    name_en: str
    weight: float  # share of the city's sci-tech enterprises


#: Jinan's ten districts and two counties (GB/T 2260). 济南高新区 is a functional zone, not an
#: administrative division: its firms are registered in 历下, 历城 and 章丘, hence their weights.
DISTRICTS: tuple[District, ...] = (
    District("370102", "历下区", "Lixia District", 0.20),
    District("370103", "市中区", "Shizhong District", 0.09),
    District("370104", "槐荫区", "Huaiyin District", 0.08),
    District("370105", "天桥区", "Tianqiao District", 0.08),
    District("370112", "历城区", "Licheng District", 0.21),
    District("370113", "长清区", "Changqing District", 0.05),
    District("370114", "章丘区", "Zhangqiu District", 0.09),
    District("370115", "济阳区", "Jiyang District", 0.04),
    District("370116", "莱芜区", "Laiwu District", 0.07),
    District("370117", "钢城区", "Gangcheng District", 0.03),
    District("370124", "平阴县", "Pingyin County", 0.03),
    District("370126", "商河县", "Shanghe County", 0.03),
)
CITY_CODE = "370100"

#: Districts where software and services cluster (齐鲁软件园, 高新区, CBD) and where manufacturing does.
URBAN_TECH_DISTRICTS = frozenset({"370102", "370112", "370103"})
INDUSTRIAL_DISTRICTS = frozenset({"370113", "370114", "370115", "370116", "370117", "370124", "370126"})


class Sector(NamedTuple):
    """Profile of a group of industries. Medians are of the reference year."""

    rd_median: float  # R&D expense / sales revenue
    zero_rd: float  # share of firms with no R&D at all
    tech_median: float  # tech staff / employees
    revenue_per_employee: float  # yuan
    assets_to_revenue: float
    ip_rate: float  # multiplier of the expected IP portfolio size
    ip_mix: tuple[float, float, float, float, float]  # invention, utility, design, software, special
    hnte_field: float  # P(core technology in the 国家重点支持的高新技术领域)
    strategic: float  # P(战略性新兴产业)
    star: float  # P(科创板定位行业)
    manufacturing: bool
    words: tuple[str, ...]  # industry words of company names


SECTORS: dict[str, Sector] = {
    "software": Sector(0.075, 0.06, 0.45, 3.2e5, 0.9, 1.0, (0.12, 0.05, 0.02, 0.80, 0.01),
                       0.80, 0.80, 0.55, False,
                       ("软件", "信息技术", "信息科技", "网络科技", "数字科技", "智能科技",
                        "数据科技", "计算机技术", "云计算科技", "物联网科技")),
    "electronics": Sector(0.045, 0.08, 0.28, 6.0e5, 1.2, 1.2, (0.28, 0.45, 0.07, 0.17, 0.03),
                          0.80, 0.75, 0.60, True,
                          ("电子", "电子科技", "光电科技", "微电子", "通信技术", "传感技术",
                           "半导体")),
    "equipment": Sector(0.035, 0.08, 0.20, 6.5e5, 1.3, 1.1, (0.22, 0.60, 0.08, 0.10, 0.00),
                        0.65, 0.55, 0.35, True,
                        ("机械", "智能装备", "机电设备", "自动化设备", "精密机械", "医疗器械",
                         "仪器仪表", "汽车零部件")),
    "pharma": Sector(0.055, 0.08, 0.25, 7.0e5, 1.6, 0.8, (0.52, 0.25, 0.10, 0.03, 0.10),
                     0.75, 0.70, 0.55, True,
                     ("生物医药", "制药", "医药科技", "生物科技", "药业")),
    "rnd_service": Sector(0.12, 0.05, 0.50, 2.8e5, 0.8, 0.9, (0.35, 0.25, 0.02, 0.38, 0.00),
                          0.70, 0.60, 0.30, False,
                          ("科技", "技术", "检测技术", "节能科技", "环保科技", "新材料科技",
                           "工程技术", "科技发展")),
    "electrical": Sector(0.035, 0.08, 0.18, 7.0e5, 1.2, 1.0, (0.20, 0.62, 0.08, 0.10, 0.00),
                         0.60, 0.60, 0.35, True,
                         ("电气", "电力科技", "新能源科技", "储能科技", "电器", "电缆")),
    "materials": Sector(0.028, 0.12, 0.14, 9.0e5, 1.4, 0.7, (0.30, 0.60, 0.05, 0.05, 0.00),
                        0.50, 0.45, 0.25, True,
                        ("新材料", "化工", "精细化工", "复合材料", "塑胶", "钢结构")),
    "agri_bio": Sector(0.030, 0.15, 0.15, 5.0e5, 1.5, 0.5, (0.20, 0.20, 0.05, 0.05, 0.50),
                       0.45, 0.40, 0.15, False,
                       ("种业", "农业科技", "生物技术")),
    "trade_other": Sector(0.004, 0.55, 0.05, 1.4e6, 0.7, 0.15, (0.05, 0.25, 0.20, 0.50, 0.00),
                          0.08, 0.10, 0.02, False,
                          ("商贸", "贸易", "供应链管理", "建设工程", "企业管理咨询", "科贸")),
}
SECTOR_NAMES: tuple[str, ...] = tuple(SECTORS)


class Industry(NamedTuple):
    code: str  # GB/T 4754-2017 class (门类 letter + 4 digits)
    sector: str
    weight: float
    special: str | None  # the Ⅰ类 IP type this industry produces beyond patents


INDUSTRIES: tuple[Industry, ...] = (
    # I 信息传输、软件和信息技术服务业
    Industry("I6511", "software", 0.020, None), Industry("I6512", "software", 0.015, None),
    Industry("I6513", "software", 0.090, None), Industry("I6519", "software", 0.020, None),
    Industry("I6520", "software", 0.012, "ic_layout"), Industry("I6531", "software", 0.060, None),
    Industry("I6532", "software", 0.020, None), Industry("I6540", "software", 0.015, None),
    Industry("I6550", "software", 0.015, None), Industry("I6560", "software", 0.030, None),
    Industry("I6571", "software", 0.006, None), Industry("I6579", "software", 0.010, None),
    Industry("I6599", "software", 0.015, None), Industry("I6319", "software", 0.006, None),
    Industry("I6339", "software", 0.002, None), Industry("I6429", "software", 0.010, None),
    Industry("I6432", "software", 0.006, None), Industry("I6440", "software", 0.008, None),
    Industry("I6450", "software", 0.012, None),
    # C39 计算机、通信和其他电子设备制造业
    Industry("C3913", "electronics", 0.006, None), Industry("C3914", "electronics", 0.008, None),
    Industry("C3921", "electronics", 0.008, None),
    Industry("C3940", "electronics", 0.003, "defense_patent"),
    Industry("C3973", "electronics", 0.004, "ic_layout"),
    Industry("C3976", "electronics", 0.006, None), Industry("C3982", "electronics", 0.008, None),
    Industry("C3983", "electronics", 0.010, None), Industry("C3985", "electronics", 0.005, None),
    Industry("C3990", "electronics", 0.006, None),
    # C34/C35/C36/C40 设备制造
    Industry("C3511", "equipment", 0.006, None), Industry("C3521", "equipment", 0.005, None),
    Industry("C3562", "equipment", 0.004, None), Industry("C3581", "equipment", 0.010, None),
    Industry("C3584", "equipment", 0.006, None), Industry("C3599", "equipment", 0.020, None),
    Industry("C3421", "equipment", 0.008, None), Industry("C3441", "equipment", 0.006, None),
    Industry("C3491", "equipment", 0.007, None), Industry("C3489", "equipment", 0.008, None),
    Industry("C4011", "equipment", 0.012, None), Industry("C4014", "equipment", 0.008, None),
    Industry("C4021", "equipment", 0.006, None), Industry("C3670", "equipment", 0.015, None),
    Industry("C3612", "equipment", 0.003, None),
    # C27 医药制造业
    Industry("C2710", "pharma", 0.005, "national_new_drug"),
    Industry("C2720", "pharma", 0.010, "national_new_drug"),
    Industry("C2740", "pharma", 0.008, "tcm_protected_variety"),
    Industry("C2761", "pharma", 0.007, "national_new_drug"),
    Industry("C2762", "pharma", 0.003, "national_new_drug"),
    Industry("C2770", "pharma", 0.005, None),
    # M73/M74/M75 研究和试验发展、专业技术服务、科技推广
    Industry("M7310", "rnd_service", 0.015, None), Industry("M7320", "rnd_service", 0.035, None),
    Industry("M7340", "rnd_service", 0.010, None), Industry("M7452", "rnd_service", 0.015, None),
    Industry("M7484", "rnd_service", 0.015, None), Industry("M7513", "rnd_service", 0.008, None),
    Industry("M7514", "rnd_service", 0.010, None), Industry("M7515", "rnd_service", 0.008, None),
    Industry("M7516", "rnd_service", 0.012, None), Industry("M7519", "rnd_service", 0.015, None),
    Industry("M7520", "rnd_service", 0.006, None), Industry("M7530", "rnd_service", 0.006, None),
    Industry("M7540", "rnd_service", 0.004, None),
    # C38 电气机械和器材制造业
    Industry("C3811", "electrical", 0.004, None), Industry("C3824", "electrical", 0.006, None),
    Industry("C3825", "electrical", 0.006, None), Industry("C3841", "electrical", 0.005, None),
    Industry("C3831", "electrical", 0.006, None),
    # C26/C29/C30/C33 材料
    Industry("C2661", "materials", 0.006, None), Industry("C2662", "materials", 0.006, None),
    Industry("C2669", "materials", 0.006, None), Industry("C2929", "materials", 0.006, None),
    Industry("C3062", "materials", 0.004, None), Industry("C3311", "materials", 0.006, None),
    # A05 / M7512 种业与生物技术
    Industry("A0511", "agri_bio", 0.006, "plant_variety"),
    Industry("M7512", "agri_bio", 0.005, "national_crop_variety"),
    # 非科技的尾部: 批发、建筑、咨询
    Industry("F5176", "trade_other", 0.030, None), Industry("F5179", "trade_other", 0.025, None),
    Industry("F5199", "trade_other", 0.030, None), Industry("E4790", "trade_other", 0.020, None),
    Industry("L7243", "trade_other", 0.025, None), Industry("L7249", "trade_other", 0.020, None),
)

#: District tilt of a sector's weight: software clusters in town, manufacturing in the outer
#: districts and counties.
TILT_URBAN = {"software": 1.6, "rnd_service": 1.3, "trade_other": 1.1}
TILT_INDUSTRIAL = {"software": 0.45, "rnd_service": 0.7, "electronics": 1.2, "equipment": 1.6,
                   "electrical": 1.6, "materials": 1.8, "pharma": 1.3, "agri_bio": 2.5}

IP_TYPES: tuple[str, ...] = (
    "invention_patent", "defense_patent", "plant_variety", "national_crop_variety",
    "national_new_drug", "tcm_protected_variety", "ic_layout",
    "utility_model", "design", "software_copyright",
)
CLASS_I_TYPES = frozenset(IP_TYPES[:7])
ACQUISITIONS: tuple[str, ...] = ("self_developed", "transferred", "gifted", "merger")
ACQUISITION_WEIGHTS = (0.86, 0.11, 0.01, 0.02)

#: Characters of 字号 (trade names). Disjoint from the first characters of every industry word,
#: so a name splits into 字号 and industry word in one way only: distinct 字号, distinct names.
#: Characters of famous Jinan/Shandong marks (浪潮, 齐鲁, 山东, 重汽, 国) are left out.
_TRADE_CHARS_RAW = (
    "华瑞泰鑫恒达丰源海天中金宏博安康创联德正远力明东方圣元凯捷腾飞龙盛昌隆兴广嘉和润祥益佳宇"
    "晨星辰峰泽清川岳航鼎睿奥普英诚卓越锐汇众合启拓展宸铭成弘毅美思维尚九百千万同久永长立享乐"
    "道尔琪骏驰朗逸宁坤乾震巨晟昊旭阳瀚浩沃林森禾舜泓涵麟祺臻策赛硕杰俊锦绿蓝银玉伟威领先翔雅"
    "柏恩艾优迈可特赢胜致汉唐秦晋泉历融沣澜昱琦璟钧铎翰墨韬略"
)
_WORD_FIRST = {w[0] for s in SECTORS.values() for w in s.words}
TRADE_CHARS: str = "".join(dict.fromkeys(c for c in _TRADE_CHARS_RAW if c not in _WORD_FIRST))

#: Banks lending in Jinan (real institutions; the loans themselves are synthetic).
LENDERS: tuple[tuple[str, str, float], ...] = (
    ("齐鲁银行", "QLB", 0.16), ("济南农商银行", "JNRCB", 0.12), ("工商银行济南分行", "ICBC", 0.10),
    ("建设银行济南分行", "CCB", 0.10), ("农业银行济南分行", "ABC", 0.08),
    ("中国银行济南分行", "BOC", 0.07), ("交通银行济南分行", "BOCOM", 0.05),
    ("招商银行济南分行", "CMB", 0.06), ("兴业银行济南分行", "CIB", 0.04),
    ("浦发银行济南分行", "SPDB", 0.03), ("中信银行济南分行", "CITIC", 0.03),
    ("恒丰银行济南分行", "HFB", 0.03), ("青岛银行济南分行", "QDB", 0.02),
    ("邮储银行济南分行", "PSBC", 0.05), ("光大银行济南分行", "CEB", 0.03),
    ("民生银行济南分行", "CMBC", 0.03),
)
LOAN_KINDS: tuple[tuple[str, str, float], ...] = (
    # kind (extension enum), contract abbreviation, share
    ("guaranteed", "DB", 0.33), ("mortgage", "DY", 0.25), ("credit", "XY", 0.25),
    ("ip_pledge", "ZY", 0.07), ("other", "QT", 0.10),
)
LOAN_STATUSES = ("outstanding", "repaid", "overdue", "written_off")

#: (kind, case-number word, share): 民初 first-instance civil/commercial, 执 enforcement, 行初.
JUDGMENT_KINDS: tuple[tuple[str, str, float], ...] = (
    ("commercial", "民初", 0.45), ("civil", "民初", 0.40), ("enforcement", "执", 0.10),
    ("administrative", "行初", 0.05),
)
JUDGMENT_ROLES = ("plaintiff", "defendant", "third_party")

PENALTY_KINDS: tuple[tuple[str, float], ...] = (
    ("fine", 0.70), ("warning", 0.18), ("confiscation", 0.06), ("suspension", 0.02),
    ("license_revoked", 0.01), ("other", 0.03),
)

PENALTY_AUTHORITIES: tuple[tuple[str, str, float], ...] = (
    # authority, document prefix, share
    ("济南市市场监督管理局", "济市监处罚", 0.38),
    ("国家税务总局济南市税务局", "济税稽罚", 0.25),
    ("济南市生态环境局", "济环罚字", 0.14),
    ("济南市应急管理局", "济应急罚", 0.10),
    ("济南市人力资源和社会保障局", "济人社监罚", 0.08),
    ("济南市城市管理局", "济城管罚", 0.05),
)

INCIDENT_KINDS = ("major_safety_accident", "major_quality_accident",
                  "serious_environmental_violation", "serious_research_misconduct",
                  "abnormal_operation_list", "serious_dishonesty_list")

#: Keys of ``expert_scores``: the 高企 innovation items only experts can score, with their maxima
#: (工作指引 2016); the clause ids of kechuang/engine/qualification/rules/hnte-2016.toml.
EXPERT_SCORE_ITEMS: tuple[tuple[str, int], ...] = (
    ("hnte.ia.ip.advanced", 8), ("hnte.ia.ip.core", 8), ("hnte.ia.rdmgmt.1", 6),
    ("hnte.ia.rdmgmt.2", 6), ("hnte.ia.rdmgmt.3", 4), ("hnte.ia.rdmgmt.4", 4),
)

#: Words patent and software titles are built from, per sector.
TITLE_SUBJECTS: dict[str, tuple[str, ...]] = {
    "software": ("数据采集", "智能调度", "工单管理", "身份认证", "日志分析", "边缘计算", "视频结构化",
                 "政务审批", "供应链协同", "能耗监测"),
    "electronics": ("信号调理", "射频前端", "光电检测", "电源管理", "温度传感", "功率模块", "天线阵列"),
    "equipment": ("液压夹具", "数控转台", "输送装置", "焊接机器人", "检测工装", "减速机构", "除尘装置"),
    "pharma": ("缓释制剂", "中药提取", "冻干粉针", "抗体纯化", "原料药结晶", "质量检测"),
    "rnd_service": ("土壤修复", "污水处理", "余热回收", "材料表征", "结构健康监测", "无损检测"),
    "electrical": ("储能变流", "电池管理", "配电监控", "光伏支架", "电机控制", "绝缘检测"),
    "materials": ("复合涂层", "改性树脂", "耐火材料", "高分子薄膜", "催化剂载体", "防腐涂料"),
    "agri_bio": ("小麦育种", "玉米种植", "菌种发酵", "节水灌溉", "土壤改良"),
    "trade_other": ("仓储管理", "物料追溯", "货架", "包装", "施工测量"),
}
TITLE_FORMS = ("方法", "装置", "系统", "设备", "方法及系统")
