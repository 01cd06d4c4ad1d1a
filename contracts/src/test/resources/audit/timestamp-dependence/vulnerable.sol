pragma solidity ^0.4.24;

/// Pays the pot to whoever calls at a "lucky" second.
contract LuckySecond {
    function () public payable {}

    function tryLuck() public {
        if (now % 60 == 0) {
            msg.sender.transfer(address(this).balance);
        }
    }
}
