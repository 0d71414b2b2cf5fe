"""``xfpush adapters new ID``: a commented adapter folder that passes the contract kit as written.

The folder is a starting point to edit, so every key carries a Chinese comment saying what it
means and what it may hold; the keys are the ones ``adapters.py`` reads (a test checks both).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AdapterError, os_reason
from .adapters import ID_PATTERN, builtin_folders

ADAPTER_TOML = '''\
# 合作方适配器 __ID__（由 xfpush adapters new 生成）。每个键上方的注释说明它的含义；
# 全部说明见 docs/adapters.md。改完后运行 xfpush adapters --adapters-dir 上级文件夹 检查格式。

# id：小写字母、数字和“-”，命令行 --adapter 用它；与文件夹同名最清楚。
id = "__ID__"
# name：合作方中文名，出现在使用说明和邮件标题里。
name = "新合作方（请改成合作方名称）"
# description：一句话说明这个合作方要什么。
description = "手机海报一张，附使用说明和文件清单。"
# needs：需要的规格，写“渠道:规格”或只写“渠道”（该渠道的默认规格全要）；xfpush channels 列出全部。
needs = ["poster:phone"]
# transport：默认投递方式：file（放入文件夹）、http（签名上传）、smtp（邮件），或已安装插件提供的方式。
transport = "file"

# files：从物料包选取文件并改名，按顺序第一条匹配的生效；没被任何规则选中的文件不进包。
[[files]]
# from：物料包里的路径，可用通配符，如 "poster/*.png"。
from = "poster/phone.png"
# to：包内文件名，可用 {name} {stem} {ext} {channel} {profile} {id}（物料编号）；不能以 / 开头或含 ..。
to = "海报/{id}-{profile}{ext}"

# extras：附加文件。这一项是给合作方看的中文使用说明。
[[extras]]
# kind：instructions（中文说明，用 template）、csv（每个文件一行）或 json（活动窗口与文件列表）。
kind = "instructions"
# path：附加文件在包内的文件名。
path = "使用说明.txt"
# template：说明文字，可用 {adapter_name} {title} {slogan} {issuer} {campaign} {start} {end} {hotlines} {files} {id}。
template = """
{adapter_name}：
宣传主题：{title}（{issuer}）
活动：{campaign}（{start} 至 {end}）
热线：{hotlines}
本包文件：
{files}
"""

# 第二个附加文件：给合作方操作人员的文件清单（CSV，Excel 可直接打开）。
[[extras]]
# kind：csv 表示每个文件一行。
kind = "csv"
# path：附加文件在包内的文件名。
path = "文件清单.csv"
# columns：CSV 的列，可选 文件、渠道、规格、尺寸、文字、sha256、字节。
columns = ["文件", "规格", "尺寸", "sha256"]

# settings.<名字>：合作方需要的配置项；值只来自环境变量，打包和投递时按 type 检查。
[settings.account]
# type：string、int 或 bool。
type = "string"
# env：值所在的环境变量名。
env = "__ENV__"
# secret：是否是密钥；密钥永不写入包、清单、台账或日志，也不能写 default。
secret = false
# required：是否必填；必填而没有设置时，打包和投递都会报错并说明要设置哪个环境变量。
required = false
# description：这一项的说明。
description = "合作方分配的账号"
# default：没有设置环境变量时用的值（密钥不能有）。
default = "未分配"
'''

HOOKS_PY = '''\
"""__ID__ 的钩子：数据写不出的少量逻辑。

函数名是固定的，xfpush 只认 extra_files 和 check_pack；写了别的公开函数会在加载时报错，
辅助函数请以下划线开头。不需要的钩子可以删掉，两个都不需要就删掉整个文件。
"""


def extra_files(manifest, message, settings):
    """生成数据写不出的附加文件，返回 {包内文件名: 字节}。

    manifest：物料包的 manifest.json；message：物料包里的 message.yaml；
    settings：adapter.toml 中 settings 的值（已按 type 检查，没设置的是 default 或 None）。
    """
    account = settings.get("account") or "未分配"
    return {"发布信息.txt": f"合作方账号：{account}\\n物料编号：{message['id']}\\n".encode("utf-8")}


def check_pack(manifest, message):
    """返回一句中文说明则拒绝打包；返回 None 表示可以打包。"""
    if not message.get("issuer"):
        return "请在消息里写发布单位（issuer），合作方需要知道物料来自谁"
    return None
'''

README_MD = '''\
# 适配器 __ID__

由 `xfpush adapters new __ID__` 生成。一个适配器描述一类合作方要哪些物料、包里文件怎么命名、
附带什么说明，以及默认怎么投递。

1. 编辑 `adapter.toml`：改 `name`、`description`、`needs`、`files`……（每个键上方有中文注释）。
2. 检查格式：`xfpush adapters --adapters-dir 上级文件夹`，能列出 __ID__ 即可；写错的键会报错并指出键名。
3. 生成合作方包：`xfpush package 物料包 --adapter __ID__ --adapters-dir 上级文件夹 -o 输出文件夹`。
4. `hooks.py` 可选：只有数据写不出的内容（按设置生成的附加文件、拒绝不合适的物料）才写在这里。
5. 跑共用的契约测试（见 docs/adapters.md）：在测试文件里写

   ```python
   pytest_plugins = ["xfpush.testing"]

   def test_contract(xfpush_demo_pack, tmp_path):
       from pathlib import Path
       from xfpush.testing import assert_adapter_contract
       assert_adapter_contract(Path("__ID__"), xfpush_demo_pack, tmp_path)
   ```

   或者命令行加 `-p xfpush.testing`。
'''


def scaffold_adapter(adapter_id: str, parent: str | Path, *, hooks: bool = True) -> Path:
    """Write ``parent/<adapter_id>/`` (adapter.toml, README.md, hooks.py) and return it."""
    if not ID_PATTERN.match(adapter_id):
        raise AdapterError(f"适配器 id “{adapter_id}”不合要求：只能用小写字母、数字和“-”，"
                           "以字母开头，2–41 个字符，例如 township-speaker")
    if adapter_id in {folder.name for folder in builtin_folders()}:
        raise AdapterError(f"适配器 id {adapter_id} 已被内置适配器使用，请换一个")
    folder = Path(parent) / adapter_id
    if folder.exists():
        raise AdapterError(f"{folder} 已存在，不会覆盖。请换一个 id 或用 -o 指定别的文件夹")
    env = "XFPUSH_" + adapter_id.upper().replace("-", "_") + "_ACCOUNT"
    files = {"adapter.toml": ADAPTER_TOML, "README.md": README_MD}
    if hooks:
        files["hooks.py"] = HOOKS_PY
    try:
        folder.mkdir(parents=True)
        for name, text in files.items():
            (folder / name).write_text(text.replace("__ID__", adapter_id).replace("__ENV__", env),
                                       "utf-8")
    except OSError as exc:
        raise AdapterError(f"无法写入 {folder}：{os_reason(exc)}") from exc
    return folder
